using System.Text.RegularExpressions;
using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests;

/// <summary>
/// Many clients, one session: 10 client processes (<c>rcontrol run --daemon</c>, each its own actor system over
/// Akka.Remote) start 50 tasks each on one session of a real daemon, all 500 running at once. Per-process task
/// counters made ids clash here ("task id '7' is already running"); random 128-bit ids never do.
/// </summary>
public sealed partial class TaskIdCollisionTests
{
    private const int Clients = 10;
    private const int TasksPerClient = 50;

    [Fact]
    public async Task Ten_client_processes_with_fifty_concurrent_tasks_each_on_one_session_all_succeed()
    {
        var dir = Directory.CreateTempSubdirectory("rcontrol-ids-").FullName;
        try
        {
            await using var daemon = await DaemonProcess.StartReadyAsync("""
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
                rcontrol.sessions { shared { type = local } }
                """);

            // Every task blocks on a shared lock the test holds (flock, no polling), so all 500 run at the same time.
            var gate = Path.Combine(dir, "gate");
            var holder = new FileStream(gate, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
            var clients = new List<Task<ProcessResult>>();
            try
            {
                for (var c = 0; c < Clients; c++)
                {
                    var plan = Path.Combine(dir, $"client{c}.hocon");
                    var tasks = Enumerable.Range(0, TasksPerClient)
                        .Select(t => $$"""{ name = t{{t}}, session = shared, run = "flock -s {{gate}} true && echo c{{c}}-t{{t}}" }""");
                    await File.WriteAllTextAsync(plan, $"tasks = [\n{string.Join("\n", tasks)}\n]\n");
                    clients.Add(ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"), "run", plan, "--daemon", daemon.Address, "--credential", daemon.AdminCredential]));
                }

                await Poll.UntilAsync(
                    () => Started(daemon.Output) >= Clients * TasksPerClient || clients.Any(c => c.IsCompleted),
                    TimeSpan.FromSeconds(180),
                    "500 tasks running at once on the daemon");
            }
            finally
            {
                await holder.DisposeAsync();
            }

            var results = await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(120));
            for (var c = 0; c < Clients; c++)
            {
                Assert.True(results[c].ExitCode == 0, $"client {c} exited with {results[c].ExitCode}:\n{results[c].Stdout}\n{results[c].Stderr}");
            }

            await Poll.UntilAsync(() => Ended(daemon.Output).Count == Clients * TasksPerClient, TimeSpan.FromSeconds(30), "500 task ends in the daemon log");
            var ended = Ended(daemon.Output);
            Assert.Equal(Clients * TasksPerClient, ended.Select(e => e.Id).Distinct().Count());
            Assert.All(ended, e => Assert.Matches("^[0-9a-f]{32}$", e.Id));
            Assert.Equal(
                Enumerable.Range(0, Clients).SelectMany(c => Enumerable.Range(0, TasksPerClient).Select(t => $"c{c}-t{t}")).Order(),
                ended.Select(e => e.Marker).Order());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static int Started(string output) => StartedLine().Count(output);

    private static List<(string Id, string Marker)> Ended(string output) =>
        EndedLine().Matches(output).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

    [GeneratedRegex(@"task \S+ started on session shared:")]
    private static partial Regex StartedLine();

    [GeneratedRegex(@"task (\S+) ended on session shared: exit code 0 after [^:]+: flock -s \S+ true && echo (c\d+-t\d+)")]
    private static partial Regex EndedLine();
}
