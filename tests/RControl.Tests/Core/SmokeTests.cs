namespace RControl.Tests.Core;

public sealed class SmokeTests
{
    [Fact]
    public async Task Echo_streams_lines_and_exit_code()
    {
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateLocalSession();
        var lines = new List<string>();
        var task = session.Execute("echo a; echo b >&2; exit 3", new CommandOptions { ExpectedExitCode = 3, OnStdout = (_, l) => lines.Add(l) });
        var code = await task.WaitAsync();
        Assert.Equal(3, code);
        Assert.Equal(new[] { "a", "b" }, lines);
        Assert.Empty(await session.WaitForTasksAsync());
    }
}
