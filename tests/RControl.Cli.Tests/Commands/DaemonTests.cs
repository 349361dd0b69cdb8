using System.Collections.Concurrent;
using System.Diagnostics;
using RControl.Cli.Tests.Support;
using RControl.TestSupport;

namespace RControl.Cli.Tests.Commands;

/// <summary><c>--daemon</c>: exec, run and copy submitted to a real <c>rcontrol daemon</c> process.</summary>
public sealed class DaemonTests : IClassFixture<DaemonTests.Daemon>
{
    private readonly Daemon _daemon;

    public DaemonTests(Daemon daemon)
    {
        _daemon = daemon;
    }

    [Fact]
    public async Task Exec_runs_on_the_daemons_named_session()
    {
        // The daemon's own user: no credential option, the CLI finds the one the daemon wrote for it.
        var r = await _daemon.RunAsync("exec", "-t", "keeper", "--daemon", _daemon.Address, "--", "pwd; echo kept");
        Assert.True(r.ExitCode == 0, r.ToString() + _daemon.Output);
        Assert.Equal([$"keeper: {_daemon.Workdir}", "keeper: kept"], r.StdoutLines.Take(2));
    }

    [Fact]
    public async Task A_plan_uses_the_daemons_sessions_and_ad_hoc_ones_and_keeps_its_exit_status()
    {
        using var dir = new Support.TempDir();
        var plan = dir.Write("plan.hocon", """
            sessions { scratch { type = local } }
            tasks = [
              { name = where, session = keeper, run = "pwd" }
              { name = fail, session = scratch, after = [where], run = "exit 3" }
              { name = never, session = keeper, after = [fail], run = "echo never" }
            ]
            """);
        var r = await _daemon.RunAsync("run", plan, "--daemon", _daemon.Address, "--json");
        Assert.True(r.ExitCode == 1, r.ToString() + _daemon.Output);
        var tasks = r.Json.ToDictionary(o => o.GetProperty("task").GetString()!);
        Assert.Equal(_daemon.Workdir, tasks["where"].GetProperty("output")[0].GetString());
        Assert.Equal(3, tasks["fail"].GetProperty("exitCode").GetInt32());
        Assert.Equal("skipped", tasks["never"].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Copy_goes_through_the_daemon()
    {
        using var dir = new Support.TempDir();
        dir.Write("src/a.txt", "through the daemon\n");
        var destination = Path.Combine(_daemon.Workdir, "copied-" + Guid.NewGuid().ToString("N"));
        var r = await _daemon.RunAsync("copy", $"local:{dir.Path}/src", $"keeper:{destination}", "--daemon", _daemon.Address, "--json");
        Assert.True(r.ExitCode == 0, r.ToString() + _daemon.Output);
        Assert.Equal("through the daemon\n", File.ReadAllText(Path.Combine(destination, "a.txt")));
    }

    [Fact]
    public async Task Copy_to_a_group_and_gather_from_it_go_through_the_daemon_one_task_per_session()
    {
        using var dir = new Support.TempDir();
        dir.Write("src/a.txt", "to every session\n");
        dir.Write("src/nested/b.bin", string.Concat(Enumerable.Range(0, 3000).Select(i => $"{i},")));
        var source = Path.Combine(dir.Path, "src");
        var spreadTo = Path.Combine(_daemon.Workdir, "spread-" + Guid.NewGuid().ToString("N"));

        // Both sessions are this machine: one at a time, the second replacing the first (--force).
        var spread = await _daemon.RunAsync("copy", $"local:{source}", $"keeper,keeper2:{spreadTo}", "--daemon", _daemon.Address, "--fanout", "1", "--force", "--json");
        Assert.True(spread.ExitCode == 0, spread.ToString() + _daemon.Output);
        Assert.Equal(["keeper", "keeper2"], spread.Json.Select(o => o.GetProperty("session").GetString()).Order());
        Assert.All(spread.Json, o => Assert.Equal("succeeded", o.GetProperty("state").GetString()));
        AssertSameTree(source, spreadTo);

        var gathered = Path.Combine(dir.Path, "gathered");
        var gather = await _daemon.RunAsync("copy", $"keeper,keeper2:{source}", $"local:{gathered}", "--daemon", _daemon.Address, "--json");
        Assert.True(gather.ExitCode == 0, gather.ToString() + _daemon.Output);
        Assert.Equal(["keeper", "keeper2"], gather.Json.Select(o => o.GetProperty("session").GetString()).Order());
        Assert.Equal(["keeper", "keeper2"], Directory.GetDirectories(gathered).Select(Path.GetFileName).Order());
        AssertSameTree(source, Path.Combine(gathered, "keeper"));
        AssertSameTree(source, Path.Combine(gathered, "keeper2"));
    }

    [Fact]
    public async Task Stdin_from_a_file_or_a_pipe_reaches_every_command_on_the_daemon()
    {
        using var dir = new Support.TempDir();
        var marker = Guid.NewGuid().ToString("N");
        var data = string.Concat(Enumerable.Range(0, 3000).Select(i => $"{marker} line {i}\n"));
        var file = dir.Write("input.txt", data);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(data)));
        string[] args = ["exec", "-t", "keeper,keeper2", "--daemon", _daemon.Address, "--json", "--", "sha256sum | cut -d' ' -f1"];

        var fromFile = await _daemon.RunAsync([.. args[..^2], "--stdin", file, .. args[^2..]]);
        var piped = await _daemon.RunWithStdinAsync(data, [.. args[..^2], "--stdin", "-", .. args[^2..]]);

        foreach (var r in new[] { fromFile, piped })
        {
            Assert.True(r.ExitCode == 0, r.ToString() + _daemon.Output);
            Assert.Equal(["keeper", "keeper2"], r.Json.Select(o => o.GetProperty("session").GetString()).Order());
            Assert.All(r.Json, o => Assert.Equal(expected, o.GetProperty("output")[0].GetString()));
        }

        // The daemon's private copies are gone once the commands have them open.
        Assert.DoesNotContain(Directory.GetFiles("/tmp", ".rcontrol-stdin-*"), f => TryRead(f).Contains(marker, StringComparison.Ordinal));
    }

    private static void AssertSameTree(string expected, string actual)
    {
        static string[] Files(string root) =>
            Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Files(expected), Files(actual));
        foreach (var file in Files(expected))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(expected, file)), File.ReadAllBytes(Path.Combine(actual, file)));
        }
    }

    private static string TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    [Fact]
    public async Task Without_a_credential_the_cli_says_where_it_looked_and_runs_nothing()
    {
        using var home = new Support.TempDir();
        var marker = Path.Combine(_daemon.Workdir, "never-" + Guid.NewGuid().ToString("N"));
        var r = await _daemon.RunAsUserAsync(home.Path, "exec", "-t", "keeper", "--daemon", _daemon.Address, "--", $"touch {marker}");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no RControl credential found", r.Stderr);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task An_explicit_credential_option_is_used()
    {
        using var home = new Support.TempDir();
        var r = await _daemon.RunAsUserAsync(home.Path, "exec", "-t", "keeper", "--daemon", _daemon.Address, "--credential", _daemon.AdminCredential, "--", "echo with option");
        Assert.True(r.ExitCode == 0, r.ToString() + _daemon.Output);
        Assert.Contains("keeper: with option", r.StdoutLines);
    }

    [Fact]
    public async Task An_unreachable_daemon_is_one_line_and_status_1()
    {
        var r = await _daemon.RunAsync("exec", "-t", "local", "--daemon", $"akka.tcp://rcontrol@127.0.0.1:{FreePort.Get()}", "--credential", _daemon.AdminCredential, "--", "true");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cannot reach", r.Stderr);
    }

    [Fact]
    public async Task A_daemon_address_that_is_not_one_is_bad_usage()
    {
        var r = await CliProcess.RunAsync("exec", "-t", "local", "--daemon", "localhost:4053", "--", "true");
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("is not an Akka address", r.Stderr);
    }

    /// <summary>One real daemon for the class, with a session <c>keeper</c> whose working directory proves where commands ran.</summary>
    public sealed class Daemon : IAsyncLifetime
    {
        private readonly Support.TempDir _dir = new();
        private readonly ConcurrentQueue<string> _lines = new();
        private Process? _process;

        public string Workdir => Path.Combine(_dir.Path, "keeper-home");

        public string Address { get; private set; } = string.Empty;

        public string Output => "\n--- daemon\n" + string.Join('\n', _lines);

        /// <summary>The daemon user's XDG_CONFIG_HOME, where the daemon publishes the admin credential.</summary>
        public string ConfigHome => Path.Combine(_dir.Path, "config");

        public string AdminCredential => Path.Combine(_dir.Path, "state", "admin.pfx");

        /// <summary>Runs the CLI as the daemon's user (same XDG_CONFIG_HOME).</summary>
        public Task<CliResult> RunAsync(params string[] args) => RunAsUserAsync(ConfigHome, args);

        /// <summary>Runs the CLI as the daemon's user with <paramref name="stdin"/> written to its standard input.</summary>
        public async Task<CliResult> RunWithStdinAsync(string stdin, params string[] args)
        {
            using var process = Process.Start(StartInfo(ConfigHome, args))!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            await process.WaitForExitAsync();
            return new CliResult(process.ExitCode, await stdout, await stderr);
        }

        /// <summary>Runs the CLI with this XDG_CONFIG_HOME.</summary>
        public Task<CliResult> RunAsUserAsync(string configHome, params string[] args) => CliProcess.RunProcessAsync(StartInfo(configHome, args));

        private static ProcessStartInfo StartInfo(string configHome, string[] args)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            start.Environment["XDG_CONFIG_HOME"] = configHome;
            start.Environment.Remove("RCONTROL_CREDENTIAL");
            start.ArgumentList.Add(CliProcess.Dll);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            return start;
        }

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(Workdir);
            var port = FreePort.Get();
            var config = _dir.Write("daemon.conf", $$"""
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} }
                rcontrol.sessions {
                  keeper { type = local, working-directory = "{{Workdir}}" }
                  keeper2 { type = local, working-directory = "{{Workdir}}" }
                }
                rcontrol.daemon.state-dir = "{{Path.Combine(_dir.Path, "state")}}"
                """);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.Environment["XDG_CONFIG_HOME"] = ConfigHome;
            foreach (var arg in new[] { CliProcess.Dll, "daemon", "--config", config })
            {
                start.ArgumentList.Add(arg);
            }

            _process = new Process { StartInfo = start };
            _process.OutputDataReceived += (_, e) => Add(e.Data);
            _process.ErrorDataReceived += (_, e) => Add(e.Data);
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            Address = $"akka.tcp://rcontrol@127.0.0.1:{port}";
            await Poll.UntilAsync(() => _lines.Any(l => l.Contains("RControl daemon listening on", StringComparison.Ordinal)) || _process.HasExited, TimeSpan.FromSeconds(60), "the daemon to listen");
            Assert.False(_process.HasExited, "the daemon exited" + Output);
        }

        public async Task DisposeAsync()
        {
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process?.Dispose();
            _dir.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                _lines.Enqueue(line);
            }
        }
    }
}
