using Renci.SshNet;
using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Faults;

/// <summary>
/// With a bash login shell, a plain command (a program and its arguments) is started by the login shell itself, with
/// no <c>/bin/sh</c> in between, and behaves exactly as under <c>/bin/sh</c>: the same output, environment, exit status
/// and messages as the same command quoted (which is not plain, so it runs under <c>exec /bin/sh -c</c>), registered
/// with the guardian and killed with its whole group however the kill comes.
/// </summary>
public sealed class BashLoginShellTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan LeftBound = TimeSpan.FromSeconds(5);

    private const string BashUser = "rcontrol-test-bash";

    [Fact]
    public async Task A_plain_command_starts_without_a_second_shell_and_behaves_as_under_bin_sh()
    {
        if (!TestUser.IsRoot)
        {
            return;
        }

        await LoginShells.EnsureUserAsync(BashUser, "/bin/bash");
        await using var server = await SshServer.StartAsync(new SshServerOptions { ExtraConfig = [$"AllowUsers {BashUser}"] });
        using var client = await SshConnector.ConnectAsync(server.Spec() with { User = BashUser }, CancellationToken.None);
        var guardian = await ReadyGuardian.StartAsync(client);
        Assert.True(guardian.LoginShellIsBash);
        Assert.False(guardian.LoginShellIsSh);

        // The plain sleep is the login shell itself (its parent is sshd); quoted, it is not plain and /bin/sh runs it as
        // its child.
        var sleep = new SleepMarker();
        try
        {
            foreach (var (text, parent) in new[] { (sleep.Command, "sshd"), ("'sleep' " + sleep.Command.Split(' ')[1], "sh") })
            {
                var nonce = SshCommandLine.NewNonce();
                using var command = client.CreateCommand(SshCommandLine.Build(new CommandSpec(text), null, nonce, guardian.Directory, false, true));
                var run = command.ExecuteAsync();
                await sleep.WaitSleepingAsync(1, Bound);
                var sleeper = (await sleep.LeftAsync()).Single(pid => ProcessTree.Name(pid) == "sleep");
                Assert.Equal(parent, ProcessTree.Name(ProcessTree.Parent(sleeper)!.Value));
                Assert.Equal(0, await ExitStatusAsync(client, SshCommandLine.KillRegistered(nonce, guardian.Directory!)));
                await sleep.WaitGoneAsync(LeftBound);
                await run.WaitAsync(Bound);
            }
        }
        finally
        {
            await sleep.KillLeftAsync();
        }

        await AssertSameAsUnderShAsync(client, guardian);
    }

    [Fact]
    public async Task A_login_shell_that_only_claims_to_be_bash_runs_the_plain_wrapper_as_posix_sh()
    {
        // sshd's SetEnv overrides the SHELL it sets from the password database: the guardian takes /bin/sh for bash, and
        // the plain command's wrapper, run by /bin/sh, must still run the command.
        await using var server = await SshServer.StartAsync(new SshServerOptions { ExtraConfig = ["SetEnv SHELL=/bin/bash"] });
        using var client = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None);
        var guardian = await ReadyGuardian.StartAsync(client);
        Assert.True(guardian.LoginShellIsBash);
        await AssertSameAsUnderShAsync(client, guardian);
    }

    [Fact]
    public async Task A_plain_command_is_killed_with_its_group_by_nonce_by_an_early_kill_and_when_the_connection_dies()
    {
        if (!TestUser.IsRoot)
        {
            return;
        }

        await LoginShells.EnsureUserAsync(BashUser, "/bin/bash");
        await using var server = await SshServer.StartAsync(new SshServerOptions { ExtraConfig = [$"AllowUsers {BashUser}"] });
        var spec = server.Spec() with { User = BashUser };
        var sleep = new SleepMarker();
        try
        {
            using var client = await SshConnector.ConnectAsync(spec, CancellationToken.None);
            var guardian = await ReadyGuardian.StartAsync(client);
            Assert.True(guardian.LoginShellIsBash);

            // `timeout` is the group's leader, its sleep a child in the group: only a kill of the group ends both.
            var nonce = SshCommandLine.NewNonce();
            var text = SshCommandLine.Build(new CommandSpec($"timeout 1000 {sleep.Command}"), null, nonce, guardian.Directory, false, true);
            Assert.StartsWith("#rcontrol:", text);
            using (var command = client.CreateCommand(text))
            {
                var run = command.ExecuteAsync();
                await sleep.WaitSleepingAsync(1, Bound);
                var sleeper = (await sleep.LeftAsync()).Single(pid => ProcessTree.Name(pid) == "sleep");
                var leader = ProcessTree.Parent(sleeper)!.Value;
                // The login shell became `timeout` itself (no shell left in between), which holds the registration.
                Assert.Equal("timeout", ProcessTree.Name(leader));
                Assert.Equal("sshd", ProcessTree.Name(ProcessTree.Parent(leader)!.Value));
                Assert.Equal($"{guardian.Directory}/{leader}.{nonce}", RegistrationOf(leader));

                Assert.Equal(0, await ExitStatusAsync(client, SshCommandLine.KillRegistered(nonce, guardian.Directory!)));
                await sleep.WaitGoneAsync(LeftBound);
                await run.WaitAsync(Bound);
                Assert.Equal("KILL", command.ExitSignal);
            }

            // A kill before the command registered: it kills itself when it does, before the program starts.
            nonce = SshCommandLine.NewNonce();
            Assert.Equal(3, await ExitStatusAsync(client, SshCommandLine.KillRegistered(nonce, guardian.Directory!)));
            using (var command = client.CreateCommand(SshCommandLine.Build(new CommandSpec(sleep.Command), null, nonce, guardian.Directory, false, true)))
            {
                await command.ExecuteAsync().WaitAsync(Bound);
                Assert.Equal("KILL", command.ExitSignal);
                Assert.Equal(0, sleep.Sleeping);
            }

            // A program that closes the descriptors it inherits (ssh and sudo do) drops descriptor 7: the start time in its
            // registration still ties it to it, for the kill by nonce and for the guardian.
            var closer = Path.Combine(Path.GetTempPath(), $"rc-closer-{Guid.NewGuid():N}.sh");
            await File.WriteAllTextAsync(closer, $"exec 7>&-\n{sleep.Command}\n");
            nonce = SshCommandLine.NewNonce();
            using (var command = client.CreateCommand(SshCommandLine.Build(new CommandSpec($"bash {closer}"), null, nonce, guardian.Directory, false, true)))
            {
                var run = command.ExecuteAsync();
                await sleep.WaitSleepingAsync(1, Bound);
                var leader = ProcessTree.Parent((await sleep.LeftAsync()).Single(pid => ProcessTree.Name(pid) == "sleep"))!.Value;
                Assert.Equal("bash", ProcessTree.Name(leader));
                Assert.Null(RegistrationOf(leader));
                Assert.Equal(0, await ExitStatusAsync(client, SshCommandLine.KillRegistered(nonce, guardian.Directory!)));
                await sleep.WaitGoneAsync(LeftBound);
                await run.WaitAsync(Bound);
            }

            // The connection dies: the guardian kills the group of the command still registered (by its start time).
            var running = client.CreateCommand(SshCommandLine.Build(new CommandSpec($"bash {closer}"), null, SshCommandLine.NewNonce(), guardian.Directory, false, true)).ExecuteAsync();
            await sleep.WaitSleepingAsync(1, Bound);
            var child = (await sleep.LeftAsync()).Single(pid => ProcessTree.Name(pid) == "sleep");
            foreach (var pid in ProcessTree.AncestorsNamed(child, "sshd").Where(pid => pid != server.Pid))
            {
                ProcessTree.Kill(pid);
            }

            await sleep.WaitGoneAsync(LeftBound);
            GC.KeepAlive(running);
            File.Delete(closer);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }

        // Through a session: a timeout kills the plain command's whole group.
        var timed = new SleepMarker();
        try
        {
            await using var rc = RControlSystem.Create();
            await using var session = rc.CreateSshSession("bash-user", spec);
            await Poll.UntilAsync(async () =>
            {
                var lines = new List<string>();
                await session.Execute("readlink /proc/self/fd/7", new CommandOptions { OnStdout = (_, l) => lines.Add(l), ExpectedExitCode = null }).WaitAsync();
                return lines.Count == 1 && lines[0].StartsWith("/dev/shm/rcontrol-g.", StringComparison.Ordinal);
            }, Bound, "a plain command registered with the guardian");
            var task = session.Execute($"timeout 1000 {timed.Command}", new CommandOptions { Timeout = TimeSpan.FromSeconds(2) });
            await Assert.ThrowsAsync<TaskTimeoutException>(() => task.WaitAsync());
            await timed.WaitGoneAsync(LeftBound);
        }
        finally
        {
            await timed.KillLeftAsync();
        }
    }

    /// <summary>Plain commands, in the wrapper for bash, against their quoted twins (in the wrapper for /bin/sh).</summary>
    private static async Task AssertSameAsUnderShAsync(SshClient client, SshGuardian guardian)
    {
        var marker = Guid.NewGuid().ToString("N");
        var environment = new Dictionary<string, string> { ["RC_A"] = "a b'c\"$x", ["RC_B"] = "" };
        var cases = new (string Plain, string Quoted, string? Directory, bool Combine)[]
        {
            ("env", "'env'", "/tmp", false),
            ("cat", "'cat'", null, false),
            ("false", "'false'", null, false),
            ("true x", "'true' x", null, false),
            ($"ls -d /tmp /nonexistent-{marker}", $"'ls' -d /tmp /nonexistent-{marker}", null, false),
            ($"ls -d /tmp /nonexistent-{marker}", $"'ls' -d /tmp /nonexistent-{marker}", "/usr", true),
            ($"nosuch-{marker} x", $"'nosuch-{marker}' x", null, false),
            ("env", "'env'", $"/nonexistent-{marker}", false),
        };
        foreach (var (plainText, quotedText, directory, combine) in cases)
        {
            var plain = await RunAsync(client, guardian, plainText, environment, directory, combine);
            var quoted = await RunAsync(client, guardian, quotedText, environment, directory, combine);
            Assert.StartsWith("#rcontrol:", plain.Text);
            Assert.StartsWith("exec /bin/sh -c ", quoted.Text);
            Assert.Equal(quoted.Status, plain.Status);
            // The same variables and values; bash passes them in another order than dash.
            Assert.Equal(Lines(quoted.Output, sorted: plainText == "env"), Lines(plain.Output, sorted: plainText == "env"));
            Assert.Equal(quoted.Error, plain.Error);
        }
    }

    private static string[] Lines(string output, bool sorted) =>
        sorted ? output.Split('\n').Order(StringComparer.Ordinal).ToArray() : output.Split('\n');

    private sealed record Run(string Text, int? Status, string Output, string Error);

    private static async Task<Run> RunAsync(SshClient client, SshGuardian guardian, string commandText, IReadOnlyDictionary<string, string>? environment = null, string? directory = null, bool combine = false)
    {
        var spec = new CommandSpec(commandText) { Environment = environment, WorkingDirectory = directory, CombineStderr = combine };
        var text = SshCommandLine.Build(spec, null, SshCommandLine.NewNonce(), guardian.Directory, guardian.LoginShellIsSh, guardian.LoginShellIsBash);
        using var command = client.CreateCommand(text);
        await command.ExecuteAsync().WaitAsync(Bound);
        return new Run(text, command.ExitStatus, command.Result, command.Error);
    }

    private static string? RegistrationOf(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/fd/{SshGuardian.RegistrationFd}").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<int?> ExitStatusAsync(SshClient client, string text)
    {
        using var command = client.CreateCommand(text);
        await command.ExecuteAsync().WaitAsync(Bound);
        return command.ExitStatus;
    }
}
