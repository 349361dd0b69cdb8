using System.Text;
using RControl.Readers;

namespace RControl.Tests.Readers;

public sealed class LineReaderTests
{
    private static async Task<List<string>> ReadAsync(byte[] input, LineReaderSettings? settings = null, int chunk = int.MaxValue)
    {
        var lines = new List<string>();
        var credits = new SemaphoreSlim(1000);
        var reader = new LineReader(new ChunkedStream(input, chunk), settings ?? LineReaderSettings.Default, batch => lines.AddRange(batch), credits);
        await reader.RunAsync(CancellationToken.None);
        return lines;
    }

    private static Task<List<string>> ReadAsync(string input, int chunk = int.MaxValue) => ReadAsync(Encoding.UTF8.GetBytes(input), chunk: chunk);

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Lf_crlf_empty_lines_and_last_line_without_newline(int chunk)
    {
        var lines = await ReadAsync("a\nb\r\n\n\r\nc\r\nlast", chunk);
        Assert.Equal(["a", "b", "", "", "c", "last"], lines);
    }

    [Fact]
    public async Task A_lone_carriage_return_stays_in_the_line()
    {
        Assert.Equal(["a\rb", "c\r"], await ReadAsync("a\rb\nc\r", chunk: 1));
    }

    [Fact]
    public async Task Empty_input_gives_no_line()
    {
        Assert.Empty(await ReadAsync(""));
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public async Task Invalid_utf8_is_replaced_never_thrown(int chunk)
    {
        var input = new byte[] { (byte)'o', (byte)'k', 0xFF, 0xFE, (byte)'\n', 0xC3, 0xA9, (byte)'\n' };
        var lines = await ReadAsync(input, chunk: chunk);
        Assert.Equal(["ok\uFFFD\uFFFD", "é"], lines);
    }

    [Fact]
    public async Task Multibyte_characters_split_across_reads_are_kept()
    {
        Assert.Equal(["héllo wörld €"], await ReadAsync("héllo wörld €\n", chunk: 1));
    }

    [Fact]
    public async Task Over_long_lines_are_split_at_the_maximum_length()
    {
        var settings = LineReaderSettings.Default with { MaxLineLength = 10 };
        var lines = await ReadAsync(Encoding.UTF8.GetBytes(new string('x', 25) + "\nshort\n"), settings, chunk: 7);
        Assert.Equal([new string('x', 10), new string('x', 10), new string('x', 5), "short"], lines);
    }

    [Fact]
    public async Task Batches_are_bounded_and_each_takes_a_credit()
    {
        var settings = LineReaderSettings.Default with { BatchMaxChars = 100 };
        var input = string.Concat(Enumerable.Range(0, 1000).Select(i => $"line {i}\n"));
        var batches = new List<string[]>();
        var credits = new SemaphoreSlim(1000);
        var reader = new LineReader(new MemoryStream(Encoding.UTF8.GetBytes(input)), settings, batches.Add, credits);
        await reader.RunAsync(CancellationToken.None);
        Assert.All(batches, b => Assert.True(b.Sum(l => l.Length + 1) <= 100 || b.Length == 1));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"line {i}"), batches.SelectMany(b => b));
        Assert.Equal(1000 - batches.Count, credits.CurrentCount);
    }

    [Fact]
    public async Task Reader_pauses_when_no_credit_is_left()
    {
        var input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"{i}\n")));
        var settings = LineReaderSettings.Default with { BatchMaxChars = 10 };
        var credits = new SemaphoreSlim(2);
        var posted = 0;
        var reader = new LineReader(new MemoryStream(input), settings, _ => Interlocked.Increment(ref posted), credits);
        var run = reader.RunAsync(CancellationToken.None);
        Assert.True(await Support.Wait.UntilAsync(() => Volatile.Read(ref posted) == 2, TimeSpan.FromSeconds(5)));
        Assert.False(run.IsCompleted);
        Assert.Equal(2, Volatile.Read(ref posted));
        credits.Release(1000);
        await run;
        Assert.True(posted > 2);
    }

    /// <summary>A stream that returns at most <c>chunk</c> bytes per read, to exercise split lines and characters.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
