using BenchmarkDotNet.Attributes;
using RControl.Jobs;

namespace RControl.Bench.Micro;

/// <summary>
/// What a job pays on its own path to store a line: encoding <c>seq 1 1000000</c>'s lines (as the reader delivers them,
/// in batches) into 256 KiB chunks, as the job's actor does, the buffers given back as the writer does.
/// </summary>
[MemoryDiagnoser]
public class OutputChunkBenchmarks
{
    private const int ChunkBytes = 256 * 1024;
    private string[][] _batches = [];

    [GlobalSetup]
    public void Setup() =>
        _batches = Enumerable.Range(1, 1_000_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Chunk(8192).ToArray();

    /// <summary>The encoding before the fifth session: the UTF-8 encoder per line, the buffer doubling from 16 KiB.</summary>
    [Benchmark(Baseline = true)]
    public long EncodeOneMillionLinesAsBefore()
    {
        var stored = 0L;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        foreach (var batch in _batches)
        {
            foreach (var line in batch)
            {
                var max = System.Text.Encoding.UTF8.GetMaxByteCount(line.Length) + 1;
                if (length > 0 && length + max > ChunkBytes)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
                    length = 0;
                }

                if (length + max > buffer.Length)
                {
                    var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + max));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var size = System.Text.Encoding.UTF8.GetBytes(line, buffer.AsSpan(length)) + 1;
                buffer[length + size - 1] = (byte)'\n';
                length += size;
                stored += size;
            }
        }

        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        return stored;
    }

    /// <summary>This build's: short ASCII lines narrowed in a loop, the buffer grown to the chunk's size at once.</summary>
    [Benchmark]
    public long EncodeOneMillionLines()
    {
        var stored = 0L;
        var pending = new OutputText.Builder(DateTimeOffset.UtcNow, ChunkBytes);
        foreach (var batch in _batches)
        {
            foreach (var line in batch)
            {
                var max = OutputText.Builder.MaxBytes(line);
                if (pending.Length > 0 && pending.Length + max > ChunkBytes)
                {
                    pending.Build().Release();
                    pending = new OutputText.Builder(DateTimeOffset.UtcNow, ChunkBytes);
                }

                stored += pending.Append(line, max, long.MaxValue);
            }
        }

        pending.Build().Release();
        return stored;
    }
}
