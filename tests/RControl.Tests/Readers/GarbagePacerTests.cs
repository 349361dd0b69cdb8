using RControl.Readers;

namespace RControl.Tests.Readers;

/// <summary>The gen0 pacing that keeps floods of output and copies from growing the working set (pure logic).</summary>
public sealed class GarbagePacerTests
{
    [Fact]
    public void Crossing_an_interval_of_bytes_moved_collects_gen0()
    {
        var before = GC.CollectionCount(0);

        GarbagePacer.Moved(GarbagePacer.Interval);

        Assert.True(GC.CollectionCount(0) > before, "a whole interval moved must collect gen0 at least once");
    }

    [Fact]
    public async Task Reading_a_flood_of_lines_paces_collections_by_the_garbage_its_strings_make()
    {
        // 32 MiB of output become 64 MiB of UTF-16 strings: at least three intervals crossed by the reader alone.
        var line = new string('0', 1023) + "\n";
        var bytes = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(line, 32 * 1024)));
        var lines = 0;
        var reader = new LineReader(new MemoryStream(bytes), LineReaderSettings.Default, batch => lines += batch.Length, new SemaphoreSlim(int.MaxValue));
        var before = GC.CollectionCount(0);

        await reader.RunAsync(CancellationToken.None);

        Assert.Equal(32 * 1024, lines);
        Assert.True(GC.CollectionCount(0) - before >= 3, $"{GC.CollectionCount(0) - before} gen0 collections for 64 MiB of strings");
    }
}
