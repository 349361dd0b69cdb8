using System.Collections.Concurrent;
using System.Text;
using RControl.Host.Cli.Running;
using RControl.Protocol;

namespace RControl.Host.Cli.Output;

/// <summary>
/// <c>-o DIR</c> / <c>-e DIR</c>, as <c>pssh -o/-e</c>: each target's stdout (and stderr) lines also go, as they
/// arrive, to a file named after the target in that folder (created when missing; an existing file is replaced).
/// Everything else is left to the view it wraps.
/// </summary>
public sealed class OutputFilesView : IRunView
{
    private readonly IRunView _inner;
    private readonly string? _outDir;
    private readonly string? _errDir;
    private readonly ConcurrentDictionary<(RunUnit, OutputStream), StreamWriter> _files = new();

    /// <summary>Creates the folders; throws <see cref="UsageException"/> when one cannot be created.</summary>
    public OutputFilesView(IRunView inner, string? outDir, string? errDir)
    {
        _inner = inner;
        _outDir = Create("-o", outDir);
        _errDir = Create("-e", errDir);
    }

    /// <inheritdoc />
    public bool KeepsOutput => _inner.KeepsOutput;

    public void Queued(RunUnit unit) => _inner.Queued(unit);

    public void Started(RunUnit unit)
    {
        // Like pssh, a target that prints nothing still gets its (empty) file.
        Writer(unit, OutputStream.Stdout);
        Writer(unit, OutputStream.Stderr);
        _inner.Started(unit);
    }

    public void Line(RunUnit unit, OutputStream stream, string line)
    {
        if (Writer(unit, stream) is { } writer)
        {
            writer.Write(line);
            writer.Write('\n');
        }

        _inner.Line(unit, stream, line);
    }

    public void Ended(RunUnit unit)
    {
        foreach (var stream in new[] { OutputStream.Stdout, OutputStream.Stderr })
        {
            if (_files.TryRemove((unit, stream), out var writer))
            {
                writer.Dispose();
            }
        }

        _inner.Ended(unit);
    }

    public Task RunAsync(Func<Task> job) => _inner.RunAsync(job);

    public void Finish(IReadOnlyList<RunUnit> units)
    {
        foreach (var writer in _files.Values)
        {
            writer.Dispose();
        }

        _files.Clear();
        _inner.Finish(units);
    }

    private StreamWriter? Writer(RunUnit unit, OutputStream stream)
    {
        var dir = stream == OutputStream.Stderr ? _errDir : _outDir;
        return dir is null ? null : _files.GetOrAdd((unit, stream), _ =>
            new StreamWriter(Path.Combine(dir, Targets.TargetFileName.For(unit.Label)), append: false, new UTF8Encoding(false), 1 << 16));
    }

    private static string? Create(string option, string? dir)
    {
        if (dir is null)
        {
            return null;
        }

        try
        {
            return Directory.CreateDirectory(dir).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UsageException($"{option} {dir}: cannot create the folder: {e.Message}");
        }
    }
}
