using RControl.Host.Cli.Running;
using RControl.Protocol;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RControl.Host.Cli.Output;

/// <summary>
/// The terminal view (Spectre.Console): while running, the latest output lines and a table of every
/// target/task with its state, elapsed time and last line; at the end, the output gathered per target
/// (identical outputs grouped) and a summary table.
/// </summary>
public sealed class LiveView : IRunView
{
    private const int TailLines = 12;
    private readonly IAnsiConsole _console;
    private readonly bool _gather;
    private readonly bool _diff;
    private readonly List<RunUnit> _units = [];
    private readonly Queue<string> _tail = new();
    private readonly object _gate = new();

    /// <summary>A live view; <paramref name="diff"/> (<c>--diff</c>) ends with the diffs instead of the outputs.</summary>
    public LiveView(IAnsiConsole console, bool gather, bool diff = false)
    {
        _console = console;
        _gather = gather;
        _diff = diff;
    }

    public void Queued(RunUnit unit)
    {
        lock (_gate)
        {
            _units.Add(unit);
        }
    }

    public void Started(RunUnit unit)
    {
    }

    public void Line(RunUnit unit, OutputStream stream, string line)
    {
        lock (_gate)
        {
            _tail.Enqueue($"{unit.Label}: {ControlChars.Visible(line)}");
            while (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }

    public void Ended(RunUnit unit)
    {
    }

    public async Task RunAsync(Func<Task> job)
    {
        await _console.Live(Render()).AutoClear(true).StartAsync(async context =>
        {
            var running = job();
            while (!running.IsCompleted)
            {
                context.UpdateTarget(Render());
                await Task.WhenAny(running, Task.Delay(100)).ConfigureAwait(false);
            }

            context.UpdateTarget(Render());
            await running.ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public void Finish(IReadOnlyList<RunUnit> units)
    {
        if (_diff)
        {
            foreach (var line in OutputDiff.Build(units))
            {
                _console.WriteLine(ControlChars.Visible(line), Style.Plain);
            }
        }

        foreach (var group in _diff ? [] : Gathering.Build(units))
        {
            if (group.Lines.Count == 0 && !_gather)
            {
                continue;
            }

            _console.Write(new Rule($"[bold]{Markup.Escape(Targets.HostSetFolding.Fold(group.Labels))}[/] ({group.Labels.Count})").LeftJustified());
            foreach (var line in group.Lines)
            {
                _console.WriteLine(ControlChars.Visible(line), Style.Plain);
            }
        }

        var table = new Table().Border(TableBorder.Rounded).Title("summary");
        table.AddColumns("target", "state", "exit", "duration", "error");
        var now = DateTimeOffset.UtcNow;
        foreach (var unit in units)
        {
            table.AddRow(
                new Text(unit.Label),
                StateText(unit.State),
                new Text(unit.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"),
                new Text(SummaryText.Duration(unit.Elapsed(now))),
                new Text(ControlChars.Visible(unit.Error ?? string.Empty)));
        }

        _console.Write(table);
    }

    private IRenderable Render()
    {
        RunUnit[] units;
        string[] tail;
        lock (_gate)
        {
            units = _units.ToArray();
            tail = _tail.ToArray();
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("target", "state", "elapsed", "last line");
        var now = DateTimeOffset.UtcNow;
        foreach (var unit in units)
        {
            var last = ControlChars.Visible(unit.LastLine ?? string.Empty);
            if (unit.Progress is { } p && unit.State == RunState.Running)
            {
                last = $"{ProgressBar(p)} {last}";
            }

            table.AddRow(
                new Text(unit.Label),
                StateText(unit.State),
                new Text(SummaryText.Duration(unit.Elapsed(now))),
                new Text(last.Length > 60 ? last[..60] + "…" : last));
        }

        var output = new Panel(new Text(tail.Length == 0 ? " " : string.Join('\n', tail))).Header("output").Border(BoxBorder.Rounded).Expand();
        return new Rows(output, table);
    }

    /// <summary>A ten-cell progress bar with the percentage, e.g. <c>█████░░░░░  50%</c>.</summary>
    public static string ProgressBar(double fraction)
    {
        var clamped = Math.Clamp(fraction, 0, 1);
        var full = (int)Math.Round(clamped * 10);
        return new string('█', full) + new string('░', 10 - full) + $" {clamped * 100,3:0}%";
    }

    private static Text StateText(RunState state) => state switch
    {
        RunState.Succeeded => new Text("done", new Style(Color.Green)),
        RunState.Failed => new Text("failed", new Style(Color.Red)),
        RunState.TimedOut => new Text("timed out", new Style(Color.Yellow)),
        RunState.Skipped => new Text("skipped", new Style(Color.Grey)),
        RunState.Running => new Text("running", new Style(Color.Blue)),
        _ => new Text("queued", new Style(Color.Grey)),
    };
}
