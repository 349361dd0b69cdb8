using System.CommandLine;
using System.Globalization;
using RControl.Configuration;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;
using RControl.Protocol;

namespace RControl.Host.Cli;

/// <summary>The options shared by <c>exec</c>, <c>run</c> and <c>copy</c> (documented in docs/cli.md).</summary>
internal sealed class CommonOptions
{
    public Option<string?> Inventory { get; } = new("--inventory") { Description = "HOCON file with sessions and groups (the session schema).", HelpName = "file" };

    public Option<string?> Identity { get; } = new("--identity") { Description = "Private key for SSH targets that name none.", HelpName = "file" };

    public Option<string?> KnownHosts { get; } = new("--known-hosts") { Description = "known_hosts file for SSH targets (default ~/.ssh/known_hosts).", HelpName = "file" };

    public Option<string?> HostKeyPolicy { get; } = new Option<string?>("--host-key-policy") { Description = "strict (default), accept-new or insecure-accept-any.", HelpName = "policy" }
        .AcceptOnlyFromAmong("strict", "accept-new", "insecure-accept-any");

    public Option<string?> SshConfig { get; } = new("--ssh-config") { Description = "ssh_config file for host aliases (default ~/.ssh/config).", HelpName = "file" };

    public Option<string?> Timeout { get; } = new("--timeout") { Description = "Kill a command running longer than this (30s, 500ms, 2m; a plain number is seconds).", HelpName = "dur" };

    public Option<string?> OutputTimeout { get; } = new("--output-timeout") { Description = "Kill a command that prints nothing for this long.", HelpName = "dur" };

    public Option<string?> ExpectedExitCode { get; } = new("--expected-exit-code") { Description = "Exit code that means success (default 0), or 'any'.", HelpName = "code" };

    public Option<bool> CombineStderr { get; } = new("--combine-stderr") { Description = "Read stderr with stdout, in one ordered stream (default true).", DefaultValueFactory = _ => true };

    public Option<int> Fanout { get; } = new("--fanout", "-f")
    {
        Description = "At most this many commands run at once (default 64).",
        DefaultValueFactory = _ => 64,
        HelpName = "n",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }

            result.AddError($"--fanout: '{text}' is not a whole number");
            return 0;
        },
    };

    public Option<string?> User { get; } = new("--user", "-l") { Description = "Login user for SSH targets that name none (user@host wins).", HelpName = "user" };

    public Option<string?> ConnectTimeout { get; } = new("--connect-timeout") { Description = "Give up connecting to an SSH host after this long, retries included (default: 10s per attempt, retried within 30s).", HelpName = "dur" };

    public Option<string?> PassphraseEnv { get; } = new("--passphrase-env") { Description = "Read the identity files' passphrase from this environment variable (default: RCONTROL_PASSPHRASE when set).", HelpName = "var" };

    public Option<bool> AskPassphrase { get; } = new("--ask-passphrase") { Description = "Ask for the identity files' passphrase on the terminal (not echoed)." };

    public Option<bool> AskPass { get; } = new("--ask-pass") { Description = "Ask for the SSH password on the terminal (not echoed)." };

    public Option<bool> Json { get; } = new("--json") { Description = "One JSON object per task per line on stdout." };

    public Option<bool> Prefix { get; } = new("--prefix") { Description = "Print lines prefixed by target as they arrive (default)." };

    public Option<bool> Gather { get; } = new("--gather", "-b") { Description = "Gather output per target and group identical outputs (clush -b)." };

    public Option<bool> Live { get; } = new("--live") { Description = "Force the live view (default: only when stdout is a terminal)." };

    public Option<bool> Plain { get; } = new("--plain") { Description = "Never use the live view: plain prefixed lines, no escape codes." };

    public Option<string?> Daemon { get; } = new("--daemon") { Description = "Run on a daemon (akka.tcp://rcontrol@host:port) instead of embedded.", HelpName = "address" };

    public Option<string?> Credential { get; } = new("--credential") { Description = "With --daemon: the client credential file (default: $RCONTROL_CREDENTIAL, then the per-user file the daemon wrote).", HelpName = "file" };

    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Show the engine's warnings." };

    public Option<string[]> SshOption { get; } = new("--ssh-option", "-o", "-O")
    {
        Description = "An ssh_config option for SSH targets, Key=Value (Port, User, IdentityFile, UserKnownHostsFile, StrictHostKeyChecking, ProxyJump, ConnectTimeout, ServerAliveInterval, KexAlgorithms); for exec, -o DIR without '=' is --outdir (pssh -o).",
        HelpName = "Key=Value",
    };

    public Option<bool> Diff { get; } = new("--diff") { Description = "Show the outputs as unified diffs against the most common one (clush --diff)." };

    /// <summary>True for exec: <c>-o DIR</c> (a value that is not <c>Key=Value</c>) is the output folder, as in pssh.</summary>
    public bool DashOMayBeFolder { get; init; }

    /// <summary>Adds the options to a command; <paramref name="commandOptions"/> false leaves out those that only concern commands (for copy).</summary>
    public void AddTo(Command command, bool commandOptions = true)
    {
        var ssh = new Option[] { Inventory, User, Identity, PassphraseEnv, AskPassphrase, AskPass, KnownHosts, HostKeyPolicy, SshConfig, ConnectTimeout, SshOption };
        var commands = new Option[] { Timeout, OutputTimeout, ExpectedExitCode, CombineStderr, Fanout, Prefix, Gather, Diff };
        var views = new Option[] { Json, Live, Plain, Daemon, Credential, Verbose };
        foreach (var option in commandOptions ? [.. ssh, .. commands, .. views] : ssh.Concat(views))
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Reads and checks the settings; throws <see cref="UsageException"/> for bad values.</summary>
    public RunSettings Settings(ParseResult parse)
    {
        var fanout = Has(parse, Fanout) ? parse.GetValue(Fanout) : 64;
        if (fanout < 1)
        {
            throw new UsageException($"--fanout must be at least 1, got {fanout}");
        }

        if (parse.GetValue(Json) && parse.GetValue(Gather))
        {
            throw new UsageException("--json and --gather cannot be used together");
        }

        if (Has(parse, Diff) && parse.GetValue(Diff) && (parse.GetValue(Json) || parse.GetValue(Gather) || parse.GetValue(Prefix)))
        {
            throw new UsageException("--diff cannot be used with --json, --gather or --prefix");
        }

        if (parse.GetValue(Prefix) && parse.GetValue(Gather))
        {
            throw new UsageException("--prefix and --gather cannot be used together");
        }

        if (parse.GetValue(Live) && parse.GetValue(Plain))
        {
            throw new UsageException("--live and --plain cannot be used together");
        }

        var code = parse.GetValue(ExpectedExitCode);
        int? expected = code switch
        {
            null => 0,
            "any" or "none" => null,
            _ => int.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new UsageException($"--expected-exit-code: '{code}' is not a number or 'any'"),
        };

        return new RunSettings
        {
            Timeout = parse.GetValue(Timeout) is { } t ? DurationText.Parse("--timeout", t) : null,
            OutputTimeout = parse.GetValue(OutputTimeout) is { } o ? DurationText.Parse("--output-timeout", o) : null,
            ExpectedExitCode = expected,
            CombineStderr = !Has(parse, CombineStderr) || parse.GetValue(CombineStderr),
            Fanout = fanout,
            Mode = parse.GetValue(Json) ? OutputMode.Json
                : parse.GetValue(Gather) ? OutputMode.Gather
                : Has(parse, Diff) && parse.GetValue(Diff) ? OutputMode.Diff
                : OutputMode.Prefix,
            Live = parse.GetValue(Live) ? true : parse.GetValue(Plain) ? false : null,
            Daemon = parse.GetValue(Daemon),
            Credential = parse.GetValue(Credential),
            Verbose = parse.GetValue(Verbose),
        };
    }

    /// <summary>
    /// The SSH defaults from the command line: checked, and with secrets read (environment, or the terminal when
    /// asked). Call it before anything runs: a missing variable or a refused prompt is bad usage.
    /// </summary>
    public SshDefaults SshDefaults(ParseResult parse, RunSettings settings)
    {
        var connect = parse.GetValue(ConnectTimeout) is { } c ? DurationText.Parse("--connect-timeout", c) : (TimeSpan?)null;
        var user = parse.GetValue(User);
        if (user is not null && (user.Length == 0 || user.IndexOfAny(['@', ':', ' ']) >= 0))
        {
            throw new UsageException($"--user: '{user}' is not a user name");
        }

        return new SshDefaults
        {
            Identity = parse.GetValue(Identity),
            KnownHosts = parse.GetValue(KnownHosts),
            Policy = parse.GetValue(HostKeyPolicy) is { } p ? RControl.Configuration.Inventory.ParsePolicy("--host-key-policy", p) : null,
            SshConfig = parse.GetValue(SshConfig),
            User = user,
            ConnectTimeout = connect,
            Passphrase = Secrets.Passphrase(parse.GetValue(PassphraseEnv), parse.GetValue(AskPassphrase)),
            Password = parse.GetValue(AskPass) ? Secrets.Ask("SSH password: ", "--ask-pass") : null,
            Options = SshOptions.Parse(SshOptionValues(parse)),
        };
    }

    /// <summary>The <c>-o</c> values that are <c>Key=Value</c> (or <c>"Key Value"</c>) ssh options.</summary>
    private IEnumerable<string> SshOptionValues(ParseResult parse)
    {
        foreach (var value in parse.GetValue(SshOption) ?? [])
        {
            if (IsSshOption(value))
            {
                yield return value;
            }
            else if (!DashOMayBeFolder)
            {
                throw new UsageException($"-o '{value}': expected Key=Value, an ssh_config option ({string.Join(", ", SshOptions.Keys)})");
            }
        }
    }

    /// <summary>The <c>-o</c> values that name an output folder (exec: <c>-o DIR</c>, as in pssh).</summary>
    public IReadOnlyList<string> DashOFolders(ParseResult parse) =>
        (parse.GetValue(SshOption) ?? []).Where(v => !IsSshOption(v)).ToArray();

    /// <summary><c>Key=Value</c> or <c>Key Value</c> with a word for a key; <c>./a=b</c> or <c>/x=y</c> are folders.</summary>
    private static bool IsSshOption(string value)
    {
        var end = 0;
        while (end < value.Length && char.IsAsciiLetter(value[end]))
        {
            end++;
        }

        return end > 0 && end < value.Length && value[end] is '=' or ' ' or '\t';
    }

    private static bool Has(ParseResult parse, Option option) => parse.CommandResult.Command.Options.Contains(option);

    /// <summary>The <c>--inventory</c> file's sessions (empty when not given).</summary>
    public Inventory LoadInventory(ParseResult parse) =>
        parse.GetValue(Inventory) is { } path ? InventoryFiles.Load(path) : RControl.Configuration.Inventory.Empty;
}
