using RControl.Host.Cli.Running;
using RControl.Protocol;

namespace RControl.Host.Cli.Output;

/// <summary>
/// Output without escape codes, for pipes and CI: lines prefixed by target as they arrive
/// (<c>label: line</c>; separate stderr lines go to stderr), or gathered per target at the end;
/// then the summary.
/// </summary>
public sealed class PlainView : IRunView
{
    private readonly BatchedWriter _out;
    private readonly BatchedWriter _err;
    private readonly bool _gather;
    private readonly bool _diff;

    /// <summary>A plain view; <paramref name="diff"/> (<c>--diff</c>) gathers too and prints diffs instead of the outputs.</summary>
    public PlainView(TextWriter stdout, TextWriter stderr, bool gather, bool diff = false)
    {
        _out = new BatchedWriter(stdout);
        _err = new BatchedWriter(stderr);
        _gather = gather || diff;
        _diff = diff;
    }

    /// <inheritdoc />
    public bool KeepsOutput => _gather;

    public void Queued(RunUnit unit)
    {
    }

    public void Started(RunUnit unit)
    {
    }

    /// <inheritdoc />
    public PrefixedLines? LinesOf(RunUnit unit, OutputStream stream) =>
        _gather ? null : (stream == OutputStream.Stderr ? _err : _out).For(unit.Label);

    public void Line(RunUnit unit, OutputStream stream, string line)
    {
        if (_gather)
        {
            return;
        }

        (stream == OutputStream.Stderr ? _err : _out).WriteLine(unit.Label, line);
    }

    public void Ended(RunUnit unit)
    {
        if (_gather || unit.State is RunState.Succeeded)
        {
            return;
        }

        _out.Flush();
        _err.WriteLine(unit.Label, $"{SummaryText.Word(unit.State)}: {unit.Error}");
        _err.Flush();
    }

    public Task RunAsync(Func<Task> job) => job();

    public void Finish(IReadOnlyList<RunUnit> units)
    {
        _err.Flush();
        _out.WithWriter(writer =>
        {
            if (_diff)
            {
                foreach (var line in OutputDiff.Build(units))
                {
                    writer.WriteLine(line);
                }
            }
            else if (_gather)
            {
                Gathering.Write(writer, units);
            }

            SummaryText.Write(writer, units);
        });
        _out.Flush();
    }
}
