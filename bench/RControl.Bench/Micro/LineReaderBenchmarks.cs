using System.Text;
using BenchmarkDotNet.Attributes;
using RControl.Readers;

namespace RControl.Bench.Micro;

/// <summary>
/// The line pipeline alone: <see cref="LineReader"/> over an in-memory stream of 8 MiB, batches acknowledged at once.
/// Shows the reader's own cost per line (decode, split, string, batch) without processes or actors.
/// </summary>
[MemoryDiagnoser]
public class LineReaderBenchmarks
{
    private const int TotalBytes = 8 * 1024 * 1024;
    private byte[] _data = [];

    /// <summary>Characters per line (without the newline): 6 is like <c>seq</c>, 1023 like the W8 flood.</summary>
    [Params(6, 80, 1023)]
    public int LineLength { get; set; }

    [Params("\n", "\r\n")]
    public string NewLine { get; set; } = "\n";

    public long Lines { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var line = new string('7', LineLength) + NewLine;
        var text = new StringBuilder(TotalBytes + line.Length);
        while (text.Length < TotalBytes)
        {
            text.Append(line);
        }

        _data = Encoding.UTF8.GetBytes(text.ToString());
    }

    [Benchmark]
    public async Task<long> ReadAllLines()
    {
        var settings = LineReaderSettings.Default;
        var credits = new SemaphoreSlim(settings.Window, settings.Window);
        long count = 0;
        var reader = new LineReader(new MemoryStream(_data, writable: false), settings, lines =>
        {
            count += lines.Length;
            credits.Release();
        }, credits);
        await reader.RunAsync(CancellationToken.None).ConfigureAwait(false);
        Lines = count;
        return count;
    }
}
