using RControl.Host.Cli.Running;

namespace RControl.Host.Cli.Output;

/// <summary>Groups units whose output is identical, like ClusterShell's <c>clush -b</c>.</summary>
public static class Gathering
{
    /// <summary>One block of identical output and the units that printed it.</summary>
    public sealed record Group(IReadOnlyList<string> Labels, IReadOnlyList<string> Lines);

    /// <summary>Groups in order of first appearance; units that never started are left out.</summary>
    public static IReadOnlyList<Group> Build(IEnumerable<RunUnit> units)
    {
        var groups = new List<(List<string> Labels, string[] Lines)>();
        foreach (var unit in units.Where(u => u.State != RunState.Skipped))
        {
            var lines = unit.Output.Select(l => l.Text).ToArray();
            var existing = groups.FindIndex(g => g.Lines.SequenceEqual(lines));
            if (existing >= 0)
            {
                groups[existing].Labels.Add(unit.Label);
            }
            else
            {
                groups.Add(([unit.Label], lines));
            }
        }

        return groups.Select(g => new Group(g.Labels, g.Lines)).ToArray();
    }

    /// <summary>Writes the groups as plain text.</summary>
    public static void Write(TextWriter writer, IEnumerable<RunUnit> units)
    {
        foreach (var group in Build(units))
        {
            var header = $"{Targets.HostSetFolding.Fold(group.Labels)} ({group.Labels.Count})";
            var rule = new string('-', Math.Min(Math.Max(header.Length, 15), 78));
            writer.WriteLine(rule);
            writer.WriteLine(header);
            writer.WriteLine(rule);
            foreach (var line in group.Lines)
            {
                writer.WriteLine(line);
            }
        }
    }
}
