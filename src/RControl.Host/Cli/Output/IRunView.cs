using RControl.Host.Cli.Running;
using RControl.Protocol;

namespace RControl.Host.Cli.Output;

/// <summary>Shows a run as it goes: plain prefixed lines, gathered output, JSON lines, or a live terminal view.</summary>
public interface IRunView
{
    /// <summary>Whether the view reads <see cref="RunUnit.Output"/> (gathered, JSON, live); prefixed plain lines need only the last one.</summary>
    bool KeepsOutput => true;

    /// <summary>A unit is known (queued).</summary>
    void Queued(RunUnit unit);

    /// <summary>A unit started.</summary>
    void Started(RunUnit unit);

    /// <summary>
    /// Where a unit's lines of one stream go straight from the engine, batch by batch (prefixed plain lines), or null:
    /// then each line is recorded in the unit (<see cref="KeepsOutput"/>, the last line) and passed to <see cref="Line"/>.
    /// </summary>
    PrefixedLines? LinesOf(RunUnit unit, OutputStream stream) => null;

    /// <summary>A unit printed a line (called one at a time per unit, in order).</summary>
    void Line(RunUnit unit, OutputStream stream, string line);

    /// <summary>A unit ended (succeeded, failed, timed out or skipped).</summary>
    void Ended(RunUnit unit);

    /// <summary>Runs the whole job inside the view (the live view draws meanwhile).</summary>
    Task RunAsync(Func<Task> job);

    /// <summary>Everything ended: print what is left (gathered output, summary).</summary>
    void Finish(IReadOnlyList<RunUnit> units);
}
