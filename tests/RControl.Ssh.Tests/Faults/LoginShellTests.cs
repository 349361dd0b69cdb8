using Renci.SshNet;
using RControl.Protocol;
using RControl.TestSupport;
using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Faults;

/// <summary>
/// The wrapper goes straight to the login shell only when that shell is <c>/bin/sh</c> itself; any other login shell
/// gets <c>exec /bin/sh -c</c>, so commands always run under <c>/bin/sh</c>, registered with the guardian and killable.
/// </summary>
public sealed class LoginShellTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan LeftBound = TimeSpan.FromSeconds(5);

    /// <summary>Prints the shell's own command line (arguments space-separated) and its registration.</summary>
    private const string WhoRunsMe = "tr '\\0\\n' '  ' </proc/$$/cmdline; echo; readlink /proc/$$/fd/7";

    [Fact]
    public async Task With_sh_as_the_login_shell_the_wrapper_runs_in_it_without_a_second_sh()
    {
        await using var server = await SshServer.StartAsync();
        using var client = await SshConnector.ConnectAsync(server.Spec(), CancellationToken.None);
        var guardian = await ReadyGuardian.StartAsync(client);
        var loginShell = await LoginShells.LoginShellAsync(server.User.Name);
        var isSh = Path.GetFileName(loginShell) is "sh" or "dash"
            && (await ProcessRunner.RunAsync("test", [loginShell, "-ef", "/bin/sh"])).ExitCode == 0;
        Assert.Equal(isSh, guardian.LoginShellIsSh);

        var nonce = SshCommandLine.NewNonce();
        var text = SshCommandLine.Build(new CommandSpec(WhoRunsMe), null, nonce, guardian.Directory, guardian.LoginShellIsSh);
        var lines = await RunAsync(client, text);
        Assert.StartsWith(guardian.Directory + "/", lines[1]);
        Assert.EndsWith("." + nonce, lines[1]);
        if (isSh)
        {
            // sshd's `sh -c SCRIPT` is the command's shell: no `/bin/sh` started by the wrapper.
            Assert.StartsWith($"#rcontrol:{nonce}", text);
            Assert.StartsWith($"{Path.GetFileName(loginShell)} -c #rcontrol:{nonce}", lines[0]);
        }
        else
        {
            Assert.StartsWith($"/bin/sh -c #rcontrol:{nonce}", lines[0]);
        }
    }

    [Fact]
    public async Task Another_login_shell_gets_a_second_sh_and_its_commands_are_still_registered_and_killed()
    {
        // sshd's SetEnv overrides the SHELL it sets from the password database: the guardian then sees a login shell that
        // is not /bin/sh (the fake path of bash) and the wrapper keeps `exec /bin/sh -c`.
        await using var server = await SshServer.StartAsync(new SshServerOptions { ExtraConfig = ["SetEnv SHELL=/bin/bash"] });
        await AssertReExecutedAsync(server, server.Spec());

        if (TestUser.IsRoot)
        {
            // A real bash login shell: a throwaway user of these tests only.
            const string bashUser = "rcontrol-test-bash";
            await LoginShells.EnsureUserAsync(bashUser, "/bin/bash");
            await using var bashServer = await SshServer.StartAsync(new SshServerOptions { ExtraConfig = [$"AllowUsers {bashUser}"] });
            await AssertReExecutedAsync(bashServer, bashServer.Spec() with { User = bashUser });
        }
    }

    private static async Task AssertReExecutedAsync(SshServer server, SshSessionSpec spec)
    {
        using (var client = await SshConnector.ConnectAsync(spec, CancellationToken.None))
        {
            var guardian = await ReadyGuardian.StartAsync(client);
            Assert.False(guardian.LoginShellIsSh);
            var nonce = SshCommandLine.NewNonce();
            var text = SshCommandLine.Build(new CommandSpec(WhoRunsMe), null, nonce, guardian.Directory, guardian.LoginShellIsSh);
            Assert.StartsWith("exec /bin/sh -c ", text);
            var lines = await RunAsync(client, text);
            Assert.StartsWith($"/bin/sh -c #rcontrol:{nonce}", lines[0]);
            Assert.StartsWith(guardian.Directory + "/", lines[1]);
            Assert.EndsWith("." + nonce, lines[1]);
        }

        // Through a session: the command registers (re-executed /bin/sh) and a timeout kills its whole group.
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("other-shell", spec);
        await Poll.UntilAsync(async () =>
        {
            var lines = new List<string>();
            await session.Execute(WhoRunsMe + " || true", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync();
            return lines.Count == 2 && lines[0].StartsWith("/bin/sh -c #rcontrol:", StringComparison.Ordinal) && lines[1].StartsWith("/dev/shm/rcontrol-g.", StringComparison.Ordinal);
        }, Bound, "a command re-executed under /bin/sh and registered with the guardian");
        var sleep = new SleepMarker();
        try
        {
            var task = session.Execute($"{sleep.Command} & {sleep.Command}", new CommandOptions { Timeout = TimeSpan.FromSeconds(2) });
            await Assert.ThrowsAsync<TaskTimeoutException>(() => task.WaitAsync());
            await sleep.WaitGoneAsync(LeftBound);
        }
        finally
        {
            await sleep.KillLeftAsync();
        }

        GC.KeepAlive(server);
    }

    private static async Task<string[]> RunAsync(SshClient client, string text)
    {
        using var command = client.CreateCommand(text);
        await command.ExecuteAsync().WaitAsync(Bound);
        Assert.Equal(0, command.ExitStatus);
        return command.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
