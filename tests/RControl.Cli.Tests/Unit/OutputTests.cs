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

    [Fact]
    public void Lines_to_a_utf8_stream_are_complete_in_order_with_a_long_line_and_the_summary_after_them()
    {
        var stream = new MemoryStream();
        var stdout = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        var writer = new BatchedWriter(stdout);
        var expected = new System.Text.StringBuilder();
        var longLine = new string('x', 200_000) + "é";
        for (var i = 0; i < 30_000; i++)
        {
            var line = i == 15_000 ? longLine : $"{i} é ü 日本";
            writer.WriteLine("web1", line);
            expected.Append("web1: ").Append(line).Append('\n');
        }

        writer.WithWriter(w => w.WriteLine("summary"));
        expected.Append("summary\n");
        Assert.Equal(expected.ToString(), new System.Text.UTF8Encoding(false).GetString(stream.ToArray()));
    }

    [Fact]
    public async Task Two_targets_writing_at_once_to_a_utf8_stream_keep_every_line_whole_and_in_order_per_target()
    {
        var stream = new SynchronizedStream();
        var writer = new BatchedWriter(new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false });
        static string Line(int i) => (i % 5) switch
        {
            0 => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => $"{i} é ü 日本 😀",
            2 => $"{i} \u001b[2J\r raw",
            3 => $"{i} " + new string('x', 64 + (i % 300)),
            _ => $"{i} " + new string('y', i % 64) + "é",
        };

        const int count = 50_000;
        await Task.WhenAll(new[] { "web1", "db-é" }.Select(label => Task.Run(() =>
        {
            var lines = writer.For(label);
            for (var i = 0; i < count; i++)
            {
                lines.Write(Line(i));
            }
        })));
        writer.Flush();

        var all = stream.Text().Split('\n');
        Assert.Equal(string.Empty, all[^1]);
        foreach (var label in new[] { "web1", "db-é" })
        {
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"{label}: {Line(i)}"), all.Where(l => l.StartsWith(label + ": ", StringComparison.Ordinal)));
        }

        Assert.Equal(2 * count, all.Length - 1);
    }

    [Fact]
    public async Task Lines_to_a_utf8_stream_reach_it_without_an_explicit_flush()
    {
        var stream = new SynchronizedStream();
        var writer = new BatchedWriter(new StreamWriter(stream, new System.Text.UTF8Encoding(false)));
        writer.WriteLine("web1", "one");
        writer.WriteLine("web2", "two");
        await Poll.UntilAsync(() => stream.Text().Contains("web2: two\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the batch written");
        Assert.Equal("web1: one\nweb2: two\n", stream.Text());
    }

    /// <summary>A memory stream read while the writer's timer writes to it.</summary>
    private sealed class SynchronizedStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (this)
            {
                base.Write(buffer, offset, count);
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (this)
            {
                base.Write(buffer);
            }
        }

        public string Text()
        {
            lock (this)
            {
                return System.Text.Encoding.UTF8.GetString(ToArray());
            }
        }
    }
}
