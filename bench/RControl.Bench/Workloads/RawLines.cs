using System.Text;
using System.Threading.Channels;

namespace RControl.Bench.Workloads;

/// <summary>
/// The best line reader a user could write with the BCL alone: one task reads and decodes lines (async reads,
/// a 64 KiB buffer), another consumes them, joined by a bounded channel of line batches — two cores in a
/// pipeline, as RControl's reader and task actor are.
/// </summary>
public static class RawLines
{
    private const int BatchSize = 1024;

    /// <summary>Reads every line of <paramref name="stream"/> into <paramref name="onLine"/>; returns the line count.</summary>
    public static async Task<long> PipelineAsync(Stream stream, Action<string> onLine)
    {
        var channel = Channel.CreateBounded<List<string>>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 65536);
                var batch = new List<string>(BatchSize);
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    batch.Add(line);
                    if (batch.Count == BatchSize)
                    {
                        await channel.Writer.WriteAsync(batch).ConfigureAwait(false);
                        batch = new List<string>(BatchSize);
                    }
                }

                if (batch.Count > 0)
                {
                    await channel.Writer.WriteAsync(batch).ConfigureAwait(false);
                }

                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        });

        long count = 0;
        await foreach (var batch in channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            foreach (var line in batch)
            {
                count++;
                onLine(line);
            }
        }

        await producer.ConfigureAwait(false);
        return count;
    }
}
