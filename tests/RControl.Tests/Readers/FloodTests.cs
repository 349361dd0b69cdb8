using System.Globalization;
using RControl.Tests.Support;
using RControl.TestSupport;

namespace RControl.Tests.Readers;

/// <summary>Runs alone: it measures this process's working set, which other tests running at once would inflate.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements
{
}

/// <summary>A fast producer into a slow callback: back-pressure pauses the producer, memory stays bounded, no line is lost.</summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class FloodTests : IAsyncLifetime
{
    /// <summary>The bounds the README states: how far the producer may run ahead, and the growth of the live heap and of the working set.</summary>
    private const int AheadBoundMiB = 2;
    private const int LiveHeapBoundMiB = 8;
    private const int WorkingSetBoundMiB = 64;

    private readonly Engine _engine = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_flood_into_a_slow_callback_pauses_the_producer_and_keeps_memory_bounded()
    {
        // 400,000 lines of 41 bytes (16 MB) from `yes | head`, which writes hundreds of MB/s, into a callback that
        // sleeps 1 ms every 200 lines (under 200,000 lines/s). Halfway through the first quarter, how far is the
        // producer ahead of the callback? With back-pressure: the window (8 batches of one 64 KiB read each), the
        // reader's buffer and the pipe, under 1 MiB. Without: all 16 MB would be written already.
        const string Text = "0123456789012345678901234567890123456789";
        const int BytesPerLine = 41;
        var total = 400_000 + Random.Shared.Next(1, 9999); // unique, so that the producer is found by its command line
        const int SampleAt = 100_000;
        long count = 0;
        long producedAtSample = -1;
        long liveAtSample = -1;
        using var memory = new PeakWorkingSet();
        var liveBefore = GC.GetTotalMemory(forceFullCollection: true);

        await _engine.Local.Execute($"yes {Text} | head -n {total}", new CommandOptions
        {
            OnStdout = (_, line) =>
            {
                if (++count % 200 == 0)
                {
                    Thread.Sleep(1);
                }

                if (count == SampleAt)
                {
                    producedAtSample = BytesWrittenBy($"head -n {total} ");
                    // What is still referenced (queued lines included) once the garbage is gone.
                    liveAtSample = GC.GetTotalMemory(forceFullCollection: true);
                }
            },
        }).WaitAsync();

        Assert.Equal(total, count);
        Assert.True(producedAtSample > 0, "the producer was not found while it ran");
        var ahead = producedAtSample - (SampleAt * BytesPerLine);
        Assert.True(ahead < AheadBoundMiB * 1024 * 1024, $"the producer was {ahead / 1024} KiB ahead of the callback: back-pressure did not pause it");
        var live = (liveAtSample - liveBefore) / (1024 * 1024);
        Assert.True(live < LiveHeapBoundMiB, $"the live heap grew by {live} MiB (bound {LiveHeapBoundMiB} MiB)");
        var growth = memory.GrowthMiB;
        Assert.True(growth < WorkingSetBoundMiB, $"working set grew by {growth} MiB (bound {WorkingSetBoundMiB} MiB)");
    }

    /// <summary>The bytes a process (found by the start of its command line) has written so far, from /proc/pid/io.</summary>
    private static long BytesWrittenBy(string commandLine)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').StartsWith(commandLine, StringComparison.Ordinal))
                {
                    var wchar = File.ReadLines(Path.Combine(dir, "io")).First(l => l.StartsWith("wchar:", StringComparison.Ordinal));
                    return long.Parse(wchar["wchar:".Length..].Trim(), CultureInfo.InvariantCulture);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not ours, or ended meanwhile.
            }
        }

        return -1;
    }
}
