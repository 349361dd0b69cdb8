using RControl.Host.Cli.Output;
using RControl.TestSupport;

namespace RControl.Cli.Tests.Unit;

public class OutputTests
{
    [Theory]
    [InlineData("plain text\tok", "plain text\tok")]
    [InlineData("\u001b[2Jcleared", "^[[2Jcleared")]
    [InlineData("bell\u0007 del\u007f", "bell^G del^?")]
    [InlineData("csi\u009b", "csi\\u009b")]
    [InlineData("é ü 日本", "é ü 日本")]
    public void Control_characters_are_made_visible(string line, string shown) =>
        Assert.Equal(shown, ControlChars.Visible(line));

    [Fact]
    public async Task Batched_lines_reach_the_target_without_an_explicit_flush()
    {
        var target = new StringWriter();
        var writer = new BatchedWriter(TextWriter.Synchronized(target));
        writer.WriteLine("web1", "one");
        writer.WriteLine("web2", "two");
        await Poll.UntilAsync(() => target.ToString().Contains("web2: two\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the batch written");
        Assert.Equal("web1: one\nweb2: two\n", target.ToString());
    }

    [Fact]
    public void A_full_buffer_is_written_at_once_in_order()
    {
        var target = new StringWriter();
        var writer = new BatchedWriter(TextWriter.Synchronized(target));
        for (var i = 0; i < 20_000; i++)
        {
            writer.WriteLine("h", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.StartsWith("h: 0\nh: 1\n", target.ToString());
        writer.Flush();
        Assert.Equal(20_000, target.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.EndsWith("h: 19999\n", target.ToString());
    }
}
