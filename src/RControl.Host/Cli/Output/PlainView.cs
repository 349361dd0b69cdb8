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
    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private readonly bool _gather;
    private readonly object _gate = new();

    public PlainView(TextWriter stdout, TextWriter stderr, bool gather)
    {
        _out = stdout;
        _err = stderr;
        _gather = gather;
    }

    public void Queued(RunUnit unit)
    {
    }

    public void Started(RunUnit unit)
    {
    }

    public void Line(RunUnit unit, OutputStream stream, string line)
    {
        if (_gather)
        {
            return;
        }

        lock (_gate)
        {
            (stream == OutputStream.Stderr ? _err : _out).WriteLine($"{unit.Label}: {line}");
        }
    }

    public void Ended(RunUnit unit)
    {
        if (_gather || unit.State is RunState.Succeeded)
        {
            return;
        }

        lock (_gate)
        {
            _err.WriteLine($"{unit.Label}: {SummaryText.Word(unit.State)}: {unit.Error}");
        }
    }

    public Task RunAsync(Func<Task> job) => job();

    public void Finish(IReadOnlyList<RunUnit> units)
    {
        lock (_gate)
        {
            if (_gather)
            {
                Gathering.Write(_out, units);
            }

            SummaryText.Write(_out, units);
            _out.Flush();
            _err.Flush();
        }
    }
}
