namespace RControl.Protocol;

/// <summary>How host keys are checked against <c>known_hosts</c>.</summary>
public enum HostKeyPolicy
{
    /// <summary>Unknown or changed keys are refused (default).</summary>
    Strict,

    /// <summary>Unknown keys are trusted on first use and appended to known_hosts; changed keys are refused.</summary>
    AcceptNew,

    /// <summary>Every key is accepted. Insecure: only for throw-away test hosts.</summary>
    InsecureAcceptAny,
}

/// <summary>A session on an SSH host (the HOCON <c>type = ssh</c> session schema, see docs/ssh.md).</summary>
public sealed record SshSessionSpec(string Host) : SessionSpec
{
    private readonly string _host = SpecField.Host(Host, "host", nameof(Host));
    private readonly int? _port;
    private readonly string? _user;
    private readonly IReadOnlyList<string> _identityFiles = [];
    private readonly string? _knownHostsFile;
    private readonly string? _proxyJump;
    private readonly string? _sshConfigFile;
    private readonly TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);
    private readonly TimeSpan _connectBudget = DefaultConnectBudget;
    private readonly TimeSpan _keepAlive = TimeSpan.FromSeconds(15);
    private readonly IReadOnlyList<string>? _keyExchangeAlgorithms;
    private readonly int _maxChannels = DefaultMaxChannels;
    private readonly int _maxConnections = DefaultMaxConnections;

    /// <summary>The host name, address or <c>~/.ssh/config</c> alias: not empty, no white space.</summary>
    /// <exception cref="ArgumentException">Empty or with white space.</exception>
    public string Host
    {
        get => _host;
        init => _host = SpecField.Host(value, "host", nameof(Host));
    }

    /// <summary>TCP port (1–65535); null uses <c>~/.ssh/config</c> or 22.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range.</exception>
    public int? Port
    {
        get => _port;
        init => _port = value is null or (>= 1 and <= 65535) ? value : throw new ArgumentOutOfRangeException(nameof(Port), value, "Port must be between 1 and 65535");
    }

    /// <summary>Login user; null uses <c>~/.ssh/config</c> or the current user.</summary>
    public string? User
    {
        get => _user;
        init => _user = SpecField.Text(value, "user", nameof(User));
    }

    /// <summary>Private key files (OpenSSH format); <c>~</c> is expanded.</summary>
    public IReadOnlyList<string> IdentityFiles
    {
        get => _identityFiles;
        init => _identityFiles = SpecField.List(value ?? [], "identity-files", nameof(IdentityFiles), allowEmpty: true)!;
    }

    /// <summary>Password for password / keyboard-interactive authentication. Never logged or printed.</summary>
    public string? Password { get; init; }

    /// <summary>Passphrase of the identity files. Never logged or printed.</summary>
    public string? Passphrase { get; init; }

    /// <summary>The known_hosts file; null means <c>~/.ssh/known_hosts</c>.</summary>
    public string? KnownHostsFile
    {
        get => _knownHostsFile;
        init => _knownHostsFile = SpecField.Text(value, "known-hosts", nameof(KnownHostsFile));
    }

    /// <summary>How host keys are checked.</summary>
    public HostKeyPolicy HostKeyPolicy { get; init; } = HostKeyPolicy.Strict;

    /// <summary>A jump host: another session name or <c>user@host:port</c>.</summary>
    public string? ProxyJump
    {
        get => _proxyJump;
        init => _proxyJump = SpecField.Text(value, "proxy-jump", nameof(ProxyJump));
    }

    /// <summary>The <c>ssh_config</c> file for aliases; null means <c>~/.ssh/config</c>.</summary>
    public string? SshConfigFile
    {
        get => _sshConfigFile;
        init => _sshConfigFile = SpecField.Text(value, "ssh-config", nameof(SshConfigFile));
    }

    /// <summary>The default of <see cref="MaxChannels"/>: OpenSSH's default <c>MaxSessions</c>.</summary>
    public const int DefaultMaxChannels = 10;

    /// <summary>The default of <see cref="MaxConnections"/>: with the default channels, 72 commands at once (9 per connection).</summary>
    public const int DefaultMaxConnections = 8;

    /// <summary>One connect attempt (TCP, key exchange, authentication) gives up after this long.</summary>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = SpecField.Duration(value, "connect-timeout", nameof(ConnectTimeout));
    }

    /// <summary>
    /// How long a command waits for a connection: refused, reset or timed-out attempts are retried with backoff
    /// (250 ms doubling up to 1 s) within this budget, or within the command's own timeout if that is shorter.
    /// Authentication, host-key and unknown-host failures are reported at once.
    /// </summary>
    public TimeSpan ConnectBudget
    {
        get => _connectBudget;
        init => _connectBudget = SpecField.Duration(value, "connect-budget", nameof(ConnectBudget));
    }

    /// <summary>The default of <see cref="ConnectBudget"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultConnectBudget = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Keep-alive interval: every quarter interval an answer is requested; a connection whose answer is more than one
    /// interval late is closed, so a hung peer fails its tasks between 1 and 1.5 intervals after it stopped answering.
    /// </summary>
    public TimeSpan KeepAlive
    {
        get => _keepAlive;
        init => _keepAlive = SpecField.Duration(value, "keep-alive", nameof(KeepAlive), zeroMeansOff: true);
    }

    /// <summary>
    /// Concurrent channels per connection (OpenSSH <c>MaxSessions</c>, default 10; at least 1). Above 1, one of them holds
    /// the connection's guardian (it kills the connection's commands when the connection dies) and the others run commands.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxChannels
    {
        get => _maxChannels;
        init => _maxChannels = AtLeastOne(value, nameof(MaxChannels));
    }

    /// <summary>
    /// Connections the session may open to the host for more concurrency (default 8). Another connection is opened
    /// only while every open one has all its channels busy and commands wait.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int MaxConnections
    {
        get => _maxConnections;
        init => _maxConnections = AtLeastOne(value, nameof(MaxConnections));
    }

    /// <summary>Key exchange algorithms in order of preference; null uses the fast default order.</summary>
    public IReadOnlyList<string>? KeyExchangeAlgorithms
    {
        get => _keyExchangeAlgorithms;
        init => _keyExchangeAlgorithms = SpecField.List(value, "kex-algorithms", nameof(KeyExchangeAlgorithms), allowEmpty: false);
    }

    /// <summary>Sessions this one may jump through, by name (filled from the inventory).</summary>
    public IReadOnlyDictionary<string, SshSessionSpec>? JumpHosts { get; init; }

    /// <summary>Secrets are never printed.</summary>
    public override string ToString() =>
        $"SshSessionSpec {{ Host = {Host}, Port = {Port}, User = {User}, IdentityFiles = [{string.Join(", ", IdentityFiles)}], " +
        $"Password = {(Password is null ? "null" : "***")}, Passphrase = {(Passphrase is null ? "null" : "***")}, HostKeyPolicy = {HostKeyPolicy}, ProxyJump = {ProxyJump} }}";

    private static int AtLeastOne(int value, string name) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1");
}
