using BenchmarkDotNet.Running;
using RControl.Bench.Harness;
using RControl.Bench.Micro;
using RControl.Bench.Workloads;
using RControl.TestSupport;

namespace RControl.Bench;

/// <summary>
/// The benchmark driver: the end-to-end workloads W1–W9 side by side with raw SSH.NET / raw Process, printed as one
/// markdown table; or, with <c>micro</c>, the BenchmarkDotNet micro-benchmarks of the line pipeline.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == FloodWorkload.ChildFlag)
        {
            return await FloodWorkload.ChildAsync(args[1]).ConfigureAwait(false);
        }

        if (args.Length >= 8 && args[0] == ManySessionsWorkload.ChildFlag)
        {
            return await ManySessionsWorkload.ChildAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length >= 3 && args[0] == ApiLinesChild.Flag)
        {
            return await ApiLinesChild.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length >= 1 && args[0] == "micro")
        {
            BenchmarkSwitcher.FromTypes([typeof(LineReaderBenchmarks), typeof(OutputChunkBenchmarks)]).Run(args[1..]);
            return 0;
        }

        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }

        return await RunAsync(options).ConfigureAwait(false);
    }

    private static async Task<int> RunAsync(BenchOptions options)
    {
        var machine = await Machine.DescribeAsync().ConfigureAwait(false);
        var started = DateTimeOffset.UtcNow;
        Progress($"machine: {machine}");
        var rows = new List<Row>();
        var wantsSsh = new[] { "W1", "W2", "W3", "W4", "W7", "W9" }.Any(options.Wants);
        SshServer? server = null;
        SshServer? peersServer = null;
        string? noSsh = null;
        try
        {
            if (wantsSsh)
            {
                server = await SshServer.StartAsync().ConfigureAwait(false);
                Progress($"sshd: {server}");
                noSsh = await SshWorkloads.WhyNoSshSessionsAsync(server).ConfigureAwait(false);
                if (noSsh is not null)
                {
                    Progress(noSsh);
                }
            }

            var ssh = server is null ? null : new SshWorkloads(server, options);
            await AddAsync(rows, options, "W1", () => One(ssh!.W1Async(noSsh))).ConfigureAwait(false);
            await AddAsync(rows, options, "W1", () => ssh!.W1BreakdownAsync(noSsh)).ConfigureAwait(false);
            await AddAsync(rows, options, "W1B", () => BashLoginShellWorkload.RunAsync(options)).ConfigureAwait(false);
            await AddAsync(rows, options, "W2", () => One(ssh!.W2Async(noSsh))).ConfigureAwait(false);
            await AddAsync(rows, options, "W3", () => One(ssh!.W3Async(noSsh))).ConfigureAwait(false);
            await AddAsync(rows, options, "W4", () => One(ssh!.W4Async(noSsh))).ConfigureAwait(false);
            await AddAsync(rows, options, "W5", () => LocalWorkloads.RunW5Async(options)).ConfigureAwait(false);
            await AddAsync(rows, options, "W6", () => One(LocalWorkloads.RunW6Async(options))).ConfigureAwait(false);
            await AddAsync(rows, options, "W7", () => One(ssh!.W7Async(noSsh))).ConfigureAwait(false);
            await AddAsync(rows, options, "W8", () => One(FloodWorkload.RunAsync(options))).ConfigureAwait(false);
            await AddAsync(rows, options, "W9", () => RemoteWorkload.RunAsync(options, server, noSsh)).ConfigureAwait(false);
            await AddAsync(rows, options, "W10", () => JobsWorkload.RunAsync(options)).ConfigureAwait(false);
            await AddAsync(rows, options, "W13", () => CapacityWorkload.RunAsync(options)).ConfigureAwait(false);
            await AddAsync(rows, options, "W14", () => ClusterHopWorkload.RunAsync(options)).ConfigureAwait(false);
            if (new[] { "W4P", "W11", "W12", "W13S" }.Any(options.Wants))
            {
                peersServer = await SshServer.StartAsync(PeerWorkloads.ServerOptions).ConfigureAwait(false);
                Progress($"sshd for W4P/W11/W12/W13s: {peersServer}");
                noSsh ??= await SshWorkloads.WhyNoSshSessionsAsync(peersServer).ConfigureAwait(false);
                var peers = new PeerWorkloads(peersServer, options);
                await AddAsync(rows, options, "W4P", () => peers.W4PeersAsync(noSsh)).ConfigureAwait(false);
                await AddAsync(rows, options, "W11", () => peers.W11Async(noSsh)).ConfigureAwait(false);
                await AddAsync(rows, options, "W12", () => One(ManySessionsWorkload.RunAsync(peersServer, options, noSsh))).ConfigureAwait(false);
                await AddAsync(rows, options, "W13S", () => CapacityWorkload.RunAsync(options, peersServer)).ConfigureAwait(false);
            }
        }
        finally
        {
            if (peersServer is not null)
            {
                await peersServer.DisposeAsync().ConfigureAwait(false);
            }

            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }

        var table = ResultTable.Render(rows, options.Runs);
        var report = $"Run {started:yyyy-MM-dd HH:mm} UTC, {(DateTimeOffset.UtcNow - started).TotalSeconds:0} s; {machine}; load average at end {Machine.LoadAverage()}\n\n{table}";
        Console.WriteLine(report);
        if (options.Output is { } path)
        {
            await File.WriteAllTextAsync(path, report).ConfigureAwait(false);
        }

        return rows.Any(r => r.Failure is not null) ? 1 : 0;
    }

    private static async Task<IReadOnlyList<Row>> One(Task<Row> row) => [await row.ConfigureAwait(false)];

    private static async Task AddAsync(List<Row> rows, BenchOptions options, string workload, Func<Task<IReadOnlyList<Row>>> run)
    {
        if (!options.Wants(workload))
        {
            return;
        }

        Progress($"{workload} …");
        try
        {
            var added = await run().ConfigureAwait(false);
            rows.AddRange(added);
            foreach (var row in added)
            {
                Progress($"{row.Workload}: RControl {Stats.Median(row.RControl):0.###}, baseline {Stats.Median(row.Raw):0.###} {row.Unit} → {row.Verdict}");
            }
        }
        catch (Exception e)
        {
            Progress($"{workload} failed: {e}");
            rows.Add(new Row { Workload = workload, Unit = "—", Baseline = "—", Target = "—", Failure = $"{e.GetType().Name}: {e.Message}" });
        }
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
