using System.Diagnostics;
using System.Text;
using RControl.Protocol;

namespace RControl.TestSupport;

/// <summary>Options of a test <see cref="SshServer"/>.</summary>
public sealed record SshServerOptions
{
    /// <summary>Host key types to generate (<c>ed25519</c>, <c>ecdsa</c>, <c>rsa</c>); all are in the server's known_hosts file.</summary>
    public IReadOnlyList<string> HostKeyTypes { get; init; } = ["ed25519"];

    /// <summary>OpenSSH <c>MaxSessions</c> (channels per connection); null keeps sshd's default of 10.</summary>
    public int? MaxSessions { get; init; }

    /// <summary>Extra <c>sshd_config</c> lines, written first so they override the generated defaults (no <c>Match</c> blocks).</summary>
    public IReadOnlyList<string> ExtraConfig { get; init; } = [];
}

/// <summary>
/// A real OpenSSH <c>sshd -D -e</c> started as a child process on a free 127.0.0.1 port, with its own directory:
/// generated host key(s), a generated ed25519 client key in <c>authorized_keys</c>, a private known_hosts file
/// listing this server, an empty ssh_config file, and a generated <c>sshd_config</c> (<c>StrictModes no</c>,
/// <c>PidFile none</c>, SFTP enabled). Several can run at once (stand-ins for several hosts). It logs in as
/// <see cref="TestUser"/>. Stop and dispose kill the listener and every process it started, by PID.
/// </summary>
/// <example><code>
/// await using var server = await SshServer.StartAsync();
/// await using var rc = RControlSystem.Create();
/// var session = rc.CreateSession("host1", server.Spec());      // strict host-key checking against server.KnownHostsFile
/// </code></example>
public sealed class SshServer : IAsyncDisposable
{
    /// <summary>Where sshd is installed (Debian's openssh-server).</summary>
    public const string SshdPath = "/usr/sbin/sshd";

    private readonly TempDir _dir;
    private readonly SshServerOptions _options;
    private readonly StringBuilder _log = new();
    private readonly HashSet<int> _trustedPorts = new();
    private Process? _process;

    private SshServer(TempDir dir, SshServerOptions options, TestUser user, int port, SshKeyPair clientKey, IReadOnlyList<SshKeyPair> hostKeys)
    {
        _dir = dir;
        _options = options;
        User = user;
        Port = port;
        ClientKey = clientKey;
        HostKeys = hostKeys;
    }

    /// <summary>The address the server listens on: always <c>127.0.0.1</c>.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port.</summary>
    public int Port { get; private set; }

    /// <summary>The login user (and its password when running as root).</summary>
    public TestUser User { get; }

    /// <summary>The server's private directory (keys, configs); deleted on dispose.</summary>
    public string Directory => _dir.Path;

    /// <summary>The client key listed in authorized_keys (ed25519, no passphrase).</summary>
    public SshKeyPair ClientKey { get; }

    /// <summary>The server's host keys, in the order of <see cref="SshServerOptions.HostKeyTypes"/>.</summary>
    public IReadOnlyList<SshKeyPair> HostKeys { get; }

    /// <summary>The first host key.</summary>
    public SshKeyPair HostKey => HostKeys[0];

    /// <summary>A known_hosts file (plain entries, <c>[127.0.0.1]:port</c>) listing every host key of this server.</summary>
    public string KnownHostsFile => _dir.PathOf("known_hosts");

    /// <summary>An empty ssh_config file: give it to specs so tests never read the real <c>~/.ssh/config</c>.</summary>
    public string SshConfigFile => _dir.PathOf("ssh_config");

    /// <summary>The <c>authorized_keys</c> file of the login user for this server.</summary>
    public string AuthorizedKeysFile => _dir.PathOf("authorized_keys");

    /// <summary>The listener's process id while running.</summary>
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>True while sshd runs.</summary>
    public bool IsRunning => Pid is not null;

    /// <summary>What sshd has logged (<c>-e</c>, LogLevel VERBOSE), for diagnostics.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Generates keys and config in a new directory and starts sshd on a free port.</summary>
    public static async Task<SshServer> StartAsync(SshServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(SshdPath))
        {
            throw new InvalidOperationException($"{SshdPath} is missing: install openssh-server (apt-get install -y openssh-server)");
        }

        options ??= new SshServerOptions();
        var user = await TestUser.GetAsync().ConfigureAwait(false);
        var dir = new TempDir("rcontrol-sshd-");
        try
        {
            var hostKeys = new List<SshKeyPair>();
            foreach (var type in options.HostKeyTypes)
            {
                hostKeys.Add(await SshKeys.GenerateAsync(dir.PathOf($"ssh_host_{type}_key"), type, comment: "host").ConfigureAwait(false));
            }

            var clientKey = await SshKeys.GenerateAsync(dir.PathOf("id_ed25519"), "ed25519").ConfigureAwait(false);
            await File.WriteAllTextAsync(dir.PathOf("authorized_keys"), clientKey.PublicKeyLine + "\n", cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(dir.PathOf("authorized_keys"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            await File.WriteAllTextAsync(dir.PathOf("ssh_config"), string.Empty, cancellationToken).ConfigureAwait(false);

            var server = new SshServer(dir, options, user, 0, clientKey, hostKeys);
            for (var attempt = 1; ; attempt++)
            {
                server.Port = FreePort.Get();
                try
                {
                    await server.StartProcessAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (InvalidOperationException) when (attempt < 5 && server.Log.Contains("Address already in use", StringComparison.Ordinal))
                {
                    // Another process took the port between FreePort.Get and sshd's bind: try another one.
                }
            }

            await File.WriteAllTextAsync(server.KnownHostsFile, string.Empty, cancellationToken).ConfigureAwait(false);
            server.TrustPort(server.Port);
            return server;
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A spec for this server: user, client key, strict host-key checking against <see cref="KnownHostsFile"/>,
    /// the empty <see cref="SshConfigFile"/>. Pass <paramref name="port"/> to connect through a proxy: the
    /// server's keys are then also listed for <c>[127.0.0.1]:port</c>.
    /// </summary>
    public SshSessionSpec Spec(int? port = null)
    {
        var actualPort = port ?? Port;
        TrustPort(actualPort);
        return new SshSessionSpec(Host)
        {
            Port = actualPort,
            User = User.Name,
            IdentityFiles = [ClientKey.PrivateKeyFile],
            KnownHostsFile = KnownHostsFile,
            SshConfigFile = SshConfigFile,
            HostKeyPolicy = HostKeyPolicy.Strict,
        };
    }

    /// <summary>The known_hosts lines (plain <c>[127.0.0.1]:port type key</c>) of this server's keys for a port.</summary>
    public IReadOnlyList<string> KnownHostsLines(int? port = null) =>
        HostKeys.Select(k => $"[{Host}]:{port ?? Port} {k.KeyType} {k.Base64}").ToArray();

    /// <summary>Generates another client key (e.g. <c>rsa</c>, <c>ecdsa</c>, with a passphrase) and authorizes it.</summary>
    public async Task<SshKeyPair> AddClientKeyAsync(string type, string? passphrase = null, string? name = null)
    {
        var key = await SshKeys.GenerateAsync(_dir.PathOf(name ?? $"id_{type}_{Guid.NewGuid():N}"), type, passphrase).ConfigureAwait(false);
        await File.AppendAllTextAsync(AuthorizedKeysFile, key.PublicKeyLine + "\n").ConfigureAwait(false);
        return key;
    }

    /// <summary>Generates a key pair in this server's directory that is NOT authorized (for wrong-key tests).</summary>
    public Task<SshKeyPair> CreateUnauthorizedKeyAsync(string type = "ed25519", string? passphrase = null) =>
        SshKeys.GenerateAsync(_dir.PathOf($"unauthorized_{type}_{Guid.NewGuid():N}"), type, passphrase);

    /// <summary>Kills sshd and every process it started (open connections and their commands), by PID.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            var pids = ProcessTree.Descendants(process.Id);
            ProcessTree.Kill(process.Id);
            foreach (var pid in pids)
            {
                ProcessTree.Kill(pid);
            }
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
    }

    /// <summary>
    /// Kills every sshd process of this server (the listener and the per-connection processes), but not the commands
    /// they started: what <c>pkill -9 sshd</c> does on a host. Connections drop; commands see their channels vanish.
    /// </summary>
    public async Task KillSshdProcessesAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            var daemons = ProcessTree.Descendants(process.Id).Where(pid => ProcessTree.Name(pid)?.StartsWith("sshd", StringComparison.Ordinal) == true).ToArray();
            ProcessTree.Kill(process.Id);
            foreach (var pid in daemons)
            {
                ProcessTree.Kill(pid);
            }
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
    }

    /// <summary>Starts sshd again on the same port with the same keys after <see cref="KillSshdProcessesAsync"/> or <see cref="StopAsync"/>.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken = default) =>
        _process is null ? StartProcessAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>Stops sshd (dropping every connection) and starts it again on the same port with the same keys.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);
        await StartProcessAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops sshd and deletes the server's directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _dir.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"sshd {Host}:{Port} (pid {Pid?.ToString() ?? "none"}, user {User.Name})";

    private void TrustPort(int port)
    {
        lock (_trustedPorts)
        {
            if (_trustedPorts.Add(port))
            {
                File.AppendAllLines(KnownHostsFile, KnownHostsLines(port));
            }
        }
    }

    private string WriteConfig()
    {
        var root = TestUser.IsRoot;
        var config = new StringBuilder();
        // sshd keeps the first value it reads for a keyword: extra lines go first so they override the defaults below.
        foreach (var line in _options.ExtraConfig)
        {
            config.AppendLine(line);
        }

        config.AppendLine($"ListenAddress {Host}:{Port}");
        foreach (var key in HostKeys)
        {
            config.AppendLine($"HostKey {key.PrivateKeyFile}");
        }

        config.AppendLine("PidFile none");
        config.AppendLine($"AuthorizedKeysFile {AuthorizedKeysFile}");
        config.AppendLine("StrictModes no");
        config.AppendLine($"UsePAM {(root ? "yes" : "no")}");
        config.AppendLine($"PasswordAuthentication {(root ? "yes" : "no")}");
        config.AppendLine($"KbdInteractiveAuthentication {(root ? "yes" : "no")}");
        config.AppendLine($"AllowUsers {User.Name}");
        config.AppendLine("PermitRootLogin no");
        config.AppendLine("UseDNS no");
        config.AppendLine("PrintMotd no");
        config.AppendLine("MaxStartups 200:30:400");
        config.AppendLine("LogLevel VERBOSE");
        config.AppendLine("Subsystem sftp internal-sftp");
        if (_options.MaxSessions is { } maxSessions)
        {
            config.AppendLine($"MaxSessions {maxSessions}");
        }

        var path = _dir.PathOf("sshd_config");
        File.WriteAllText(path, config.ToString());
        return path;
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        if (TestUser.IsRoot)
        {
            System.IO.Directory.CreateDirectory("/run/sshd");
        }

        lock (_log)
        {
            _log.Clear();
        }

        var info = new ProcessStartInfo(SshdPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-D");
        info.ArgumentList.Add("-e");
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(WriteConfig());
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"sshd on port {Port} exited: {Log}"));
                return;
            }

            lock (_log)
            {
                if (_log.Length < 1_000_000)
                {
                    _log.AppendLine(e.Data);
                }
            }

            if (e.Data.StartsWith("Server listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopAsync().ConfigureAwait(false);
            throw;
        }
    }
}
