using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using RControl.Bench.Harness;

namespace RControl.Bench.Workloads;

/// <summary>
/// W8: 1 GiB of output (1,048,576 lines of 1,023 characters) into a callback that sleeps 1 ms per 1,000 lines.
/// Each run is a fresh child process of this program, so its peak working set (VmHWM) is the flood's alone.
/// </summary>
public static class FloodWorkload
{
    public const string ChildFlag = "--w8-child";
    public const long Lines = 1_048_576;
    private const string ResultPrefix = "W8RESULT ";

    /// <summary>1,023 zeros and a newline per line: exactly 1 GiB.</summary>
    private static readonly string Command = $"yes \"$(printf '%01023d' 0)\" | head -n {Lines}";

    public static async Task<Row> RunAsync(BenchOptions options)
    {
        var row = new Row
        {
            Workload = "W8 flood: 1 GiB of output into a callback sleeping 1 ms per 1,000 lines (local)",
            Unit = "MiB peak WS",
            Baseline = "raw Process, pipelined async line reader",
            Target = "< 100 MiB, no line lost",
            IsMet = r => r.RControlMedian < 100 && r.RControl.Max() < 100,
        };
        var seconds = new List<double>();
        await Measure.RepeatAsync(options.Runs, row.RControl, () => RunChildAsync("rcontrol", row, seconds), warmUp: false);
        await Measure.RepeatAsync(options.Runs, row.Raw, () => RunChildAsync("raw", row, null), warmUp: false);
        row.Note($"RControl flood time median {Stats.Median(seconds):0.00} s");
        // Breakdown: the same child running `true` instead of the flood: what the process costs before any output.
        var idleRControl = await RunChildAsync("rcontrol-idle", null, null).ConfigureAwait(false);
        var idleRaw = await RunChildAsync("raw-idle", null, null).ConfigureAwait(false);
        row.Note($"peak WS of the same child running `true` instead: RControl {idleRControl:0.0} MiB, raw {idleRaw:0.0} MiB");
        return row;
    }

    private static async Task<double> RunChildAsync(string side, Row? row, List<double>? seconds)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            info.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        info.ArgumentList.Add(ChildFlag);
        info.ArgumentList.Add(side);
        using var child = Process.Start(info) ?? throw new InvalidOperationException("cannot start the W8 child");
        var stderr = child.StandardError.ReadToEndAsync();
        var output = (await child.StandardOutput.ReadToEndAsync().ConfigureAwait(false)).Trim();
        await child.WaitForExitAsync().ConfigureAwait(false);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"W8 child ({side}) exited with {child.ExitCode}: {await stderr.ConfigureAwait(false)}");
        }

        // "W8RESULT lines peakBytes seconds" (Akka may have logged other lines)
        var parts = output.Split('\n').Last(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal))[ResultPrefix.Length..].Split(' ');
        var lines = long.Parse(parts[0], CultureInfo.InvariantCulture);
        if (row is not null)
        {
            LocalWorkloads.Check(row, side, lines, Lines);
        }

        seconds?.Add(double.Parse(parts[2], CultureInfo.InvariantCulture));
        return long.Parse(parts[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
    }

    /// <summary>The child: floods once and prints "W8RESULT lines peakBytes seconds".</summary>
    public static async Task<int> ChildAsync(string side)
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        void OnLine()
        {
            if (++count % 1000 == 0)
            {
                Thread.Sleep(1);
            }
        }

        var command = side.EndsWith("-idle", StringComparison.Ordinal) ? "true" : Command;
        if (side.StartsWith("raw", StringComparison.Ordinal))
        {
            await RawProcess.CountLinesAsync(command, _ => OnLine()).ConfigureAwait(false);
        }
        else
        {
            await using var rc = Engines.Create();
            var session = rc.CreateLocalSession("w8");
            await session.Execute(command, new CommandOptions { OnStdout = (_, _) => OnLine() }).WaitAsync().ConfigureAwait(false);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ResultPrefix}{count} {PeakWorkingSetBytes()} {seconds:0.000}"));
        return 0;
    }

    /// <summary>VmHWM: the peak resident set size of this process.</summary>
    private static long PeakWorkingSetBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kib = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kib * 1024;
    }
}
