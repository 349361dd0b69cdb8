using RControl.Tests.Support;

namespace RControl.Tests.Readers;

/// <summary>Lines through the whole engine: process, reader, task actor, handle actor, callback.</summary>
public sealed class LinePipelineTests : IAsyncLifetime
{
    private readonly Engine _engine = new();

    private LocalSession Session => _engine.Local;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_million_lines_arrive_complete_and_in_order()
    {
        long expected = 1;
        var wrong = 0L;
        await Session.Execute("seq 1 1000000", new CommandOptions
        {
            OnStdout = (_, line) =>
            {
                if (long.Parse(line) != expected)
                {
                    wrong++;
                }

                expected++;
            },
        }).WaitAsync();
        Assert.Equal(1_000_001, expected);
        Assert.Equal(0, wrong);
    }

    [Fact]
    public async Task Line_endings_empty_lines_invalid_utf8_and_missing_last_newline()
    {
        var lines = new List<string>();
        await Session.Execute(@"printf 'a\nb\r\n\n\377x\nlast'", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync();
        Assert.Equal(["a", "b", "", "\uFFFDx", "last"], lines);
    }

    [Fact]
    public async Task A_10_MB_line_is_delivered_split_at_the_documented_maximum()
    {
        var lines = new List<string>();
        await Session.Execute("head -c 10000000 /dev/zero | tr '\\0' 'x'; echo; echo after", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync();
        Assert.Equal("after", lines[^1]);
        var chunks = lines[..^1];
        Assert.Equal(10_000_000, chunks.Sum(c => c.Length));
        Assert.All(chunks, c => Assert.True(c.Length <= 1_048_576));
        Assert.All(chunks[..^1], c => Assert.Equal(1_048_576, c.Length));
        Assert.All(chunks, c => Assert.DoesNotContain(c, ch => ch != 'x'));
    }

    [Fact]
    public async Task Stdout_and_stderr_are_each_in_order_when_separate()
    {
        var stdout = new List<string>();
        var stderr = new List<string>();
        await Session.Execute(
            "for i in $(seq 1 20000); do echo o$i; echo e$i >&2; done",
            new CommandOptions { OnStdout = (_, l) => stdout.Add(l), OnStderr = (_, l) => stderr.Add(l) }).WaitAsync();
        Assert.Equal(Enumerable.Range(1, 20000).Select(i => $"o{i}"), stdout);
        Assert.Equal(Enumerable.Range(1, 20000).Select(i => $"e{i}"), stderr);
    }
}
