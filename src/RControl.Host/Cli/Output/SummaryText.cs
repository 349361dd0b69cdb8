using System.Globalization;
using RControl.Host.Cli.Running;

namespace RControl.Host.Cli.Output;

/// <summary>The per-target summary in plain text (one line per unit, aligned).</summary>
public static class SummaryText
{
    /// <summary>The word for a state in summaries and JSON-free output.</summary>
    public static string Word(RunState state) => state switch
    {
        RunState.Succeeded => "ok",
        RunState.Failed => "FAILED",
        RunState.TimedOut => "TIMEOUT",
        RunState.Skipped => "skipped",
        RunState.Running => "running",
        _ => "queued",
    };

    /// <summary>A duration for people: 12ms, 1.52s, 2m03s.</summary>
    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => "-",
        { TotalSeconds: < 1 } d => $"{d.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)}ms",
        { TotalMinutes: < 1 } d => $"{d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)}s",
        { } d => $"{(int)d.TotalMinutes}m{d.Seconds:00}s",
    };

    /// <summary>Writes the summary block.</summary>
    public static void Write(TextWriter writer, IReadOnlyList<RunUnit> units)
    {
        if (units.Count == 0)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var rows = units.Select(u => new[]
        {
            u.Label,
            Word(u.State),
            u.ExitCode is { } code ? $"exit {code}" : "exit -",
            Duration(u.Elapsed(now)),
            u.Error ?? string.Empty,
        }).ToArray();
        var widths = Enumerable.Range(0, 4).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var counts = units.GroupBy(u => u.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Word(g.Key).ToLowerInvariant()}");
        writer.WriteLine($"summary: {units.Count} task(s): {string.Join(", ", counts)}");
        foreach (var row in rows)
        {
            var text = string.Join("  ", row.Take(4).Select((cell, i) => cell.PadRight(widths[i])));
            writer.WriteLine($"  {text}  {row[4]}".TrimEnd());
        }
    }
}
