using DiffPlex;
using RControl.Host.Cli.Running;
using RControl.Host.Cli.Targets;

namespace RControl.Host.Cli.Output;

/// <summary>
/// <c>--diff</c>, as ClusterShell's <c>clush --diff</c>: the most common output is the reference, and every other
/// output is shown as a unified diff against it (<c>--- web[01-02] (2)</c>, <c>+++ web03</c>, hunks with three
/// lines of context). Nothing is printed when every target printed the same.
/// </summary>
public static class OutputDiff
{
    private const int Context = 3;

    /// <summary>The diff lines of a run (empty when all outputs are identical).</summary>
    public static IReadOnlyList<string> Build(IEnumerable<RunUnit> units)
    {
        var groups = Gathering.Build(units);
        if (groups.Count < 2)
        {
            return [];
        }

        // The reference: the output most targets printed (the first of them on a tie).
        var reference = groups.OrderByDescending(g => g.Labels.Count).First();
        var result = new List<string>();
        foreach (var group in groups.Where(g => !ReferenceEquals(g, reference)))
        {
            result.Add($"--- {HostSetFolding.Fold(reference.Labels)} ({reference.Labels.Count})");
            result.Add($"+++ {HostSetFolding.Fold(group.Labels)} ({group.Labels.Count})");
            result.AddRange(Hunks(reference.Lines, group.Lines));
        }

        return result;
    }

    /// <summary>Unified-diff hunks turning <paramref name="a"/> into <paramref name="b"/>.</summary>
    public static IEnumerable<string> Hunks(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var blocks = Differ.Instance.CreateDiffs(string.Join('\n', a), string.Join('\n', b), false, false, LineSplitter.Instance).DiffBlocks;
        var i = 0;
        while (i < blocks.Count)
        {
            // Merge blocks whose contexts touch into one hunk.
            var j = i;
            while (j + 1 < blocks.Count && blocks[j + 1].DeleteStartA - (blocks[j].DeleteStartA + blocks[j].DeleteCountA) <= 2 * Context)
            {
                j++;
            }

            var startA = Math.Max(0, blocks[i].DeleteStartA - Context);
            var startB = Math.Max(0, blocks[i].InsertStartB - (blocks[i].DeleteStartA - startA));
            var endA = Math.Min(a.Count, blocks[j].DeleteStartA + blocks[j].DeleteCountA + Context);
            var endB = Math.Min(b.Count, blocks[j].InsertStartB + blocks[j].InsertCountB + (endA - (blocks[j].DeleteStartA + blocks[j].DeleteCountA)));
            var lines = new List<string> { $"@@ -{Range(startA, endA - startA)} +{Range(startB, endB - startB)} @@" };
            var position = startA;
            for (var k = i; k <= j; k++)
            {
                var block = blocks[k];
                for (; position < block.DeleteStartA; position++)
                {
                    lines.Add(" " + a[position]);
                }

                lines.AddRange(Enumerable.Range(block.DeleteStartA, block.DeleteCountA).Select(n => "-" + a[n]));
                lines.AddRange(Enumerable.Range(block.InsertStartB, block.InsertCountB).Select(n => "+" + b[n]));
                position = block.DeleteStartA + block.DeleteCountA;
            }

            for (; position < endA; position++)
            {
                lines.Add(" " + a[position]);
            }

            foreach (var line in lines)
            {
                yield return line;
            }

            i = j + 1;
        }
    }

    /// <summary>A hunk range as diff writes it: 1-based start, count omitted when 1, start 0 for an empty range at the top.</summary>
    private static string Range(int start, int count) => count switch
    {
        0 => $"{start},0",
        1 => $"{start + 1}",
        _ => $"{start + 1},{count}",
    };

    /// <summary>Splits on '\n' only: the lines are already split, and a '\r' inside one is part of it.</summary>
    private sealed class LineSplitter : IChunker
    {
        public static LineSplitter Instance { get; } = new();

        public IReadOnlyList<string> Chunk(string text) => text.Length == 0 ? [] : text.Split('\n');
    }
}
