using RControl.TestSupport;

namespace RControl.Ssh.Tests.Sessions;

/// <summary>Commands on a real sshd: output, exit codes, streams, working directory, environment.</summary>
public sealed class SshCommandTests(SshdFixture sshd) : IClassFixture<SshdFixture>, IAsyncLifetime
{
    private RControlSystem _rc = null!;
    private SshSession _session = null!;

    public Task InitializeAsync()
    {
        _rc = RControlSystem.Create();
        _session = _rc.CreateSshSession("host1", sshd.Server.Spec());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        await _rc.DisposeAsync();
    }

    [Fact]
    public async Task Runs_a_command_with_lines_and_exit_code()
    {
        var lines = new List<string>();
        var task = _session.Execute("echo a; echo b >&2; echo c; exit 3", new CommandOptions { ExpectedExitCode = 3, OnStdout = (_, l) => lines.Add(l) });
        Assert.Equal(3, await task.WaitAsync());
        Assert.Equal(["a", "b", "c"], lines);
        Assert.Empty(await _session.WaitForTasksAsync());
    }

    [Fact]
    public async Task Separates_stdout_and_stderr_when_asked()
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        var task = _session.Execute("echo out1; echo err1 >&2; echo out2; echo err2 >&2", new CommandOptions
        {
            OnStdout = (_, l) => stdout.Add(l),
            OnStderr = (_, l) => stderr.Add(l),
        });
        Assert.Equal(0, await task.WaitAsync());
        Assert.Equal(["out1", "out2"], stdout);
        Assert.Equal(["err1", "err2"], stderr);
    }

    [Fact]
    public async Task Runs_as_the_login_user_in_the_working_directory_with_the_environment()
    {
        var lines = new List<string>();
        var task = _session.Execute("id -un; pwd; echo \"$GREETING\"", new CommandOptions
        {
            WorkingDirectory = "/tmp",
            Environment = new Dictionary<string, string> { ["GREETING"] = "it's \"quoted\" $HOME" },
            OnStdout = (_, l) => lines.Add(l),
        });
        await task.WaitAsync();
        Assert.Equal([sshd.Server.User.Name, "/tmp", "it's \"quoted\" $HOME"], lines);
    }

    [Fact]
    public async Task Unexpected_exit_code_is_an_error()
    {
        var task = _session.Execute("exit 7");
        var error = await Assert.ThrowsAsync<ExitCodeException>(() => task.WaitAsync());
        Assert.Equal(7, error.ExitCode);
        Assert.Equal(7, task.ExitCode);
    }

    [Fact]
    public async Task A_missing_working_directory_fails_the_command()
    {
        var lines = new List<string>();
        var task = _session.Execute("echo never", new CommandOptions { WorkingDirectory = "/no/such/dir", ExpectedExitCode = null, OnStdout = (_, l) => lines.Add(l) });
        Assert.Equal(1, await task.WaitAsync());
        Assert.DoesNotContain("never", lines);
    }
}
