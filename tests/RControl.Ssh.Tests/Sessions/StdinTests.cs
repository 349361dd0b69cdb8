using RControl.TestSupport;

namespace RControl.Ssh.Tests.Sessions;

/// <summary>A command's stdin is empty and at end-of-file at once, over SSH exactly as locally.</summary>
public sealed class StdinTests(SshdFixture sshd) : IClassFixture<SshdFixture>
{
    // Far below any timeout: a command waiting for stdin would hang until the 30 s bound.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string, string> Readers => new()
    {
        { "ssh", "cat; echo after", "after" },
        { "ssh", "read x || echo eof", "eof" },
        { "ssh", "head -c 10 /dev/stdin; echo done", "done" },
        { "local", "cat; echo after", "after" },
        { "local", "read x || echo eof", "eof" },
        { "local", "head -c 10 /dev/stdin; echo done", "done" },
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public async Task A_command_reading_stdin_sees_end_of_file_at_once(string where, string command, string expected)
    {
        await using var rc = RControlSystem.Create();
        await using Session session = where == "ssh" ? rc.CreateSshSession("stdin", sshd.Server.Spec()) : rc.CreateLocalSession();
        var lines = new List<string>();

        // The timeout only keeps a regression from hanging the run; reaching it fails the test with TaskTimeoutException.
        var task = session.Execute(command, new CommandOptions { Timeout = Bound, OnStdout = (_, l) => lines.Add(l) });

        Assert.Equal(0, await task.WaitAsync());
        Assert.Equal([expected], lines);
    }
}
