using RControl.TestSupport;

namespace RControl.Ssh.Tests.Faults;

/// <summary>
/// A connection's guardian starts with its second command: a connection that runs one command (a fan-out to many
/// hosts) costs the host no guardian channel or shell, and its command still dies with the connection (its own watcher).
/// </summary>
public sealed class LazyGuardianTests
{
    private static readonly TimeSpan LeftBound = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_first_command_starts_no_guardian_the_second_does_and_both_die_with_their_connection()
    {
        await using var server = await SshServer.StartAsync();
        await using var rc = RControlSystem.Create();
        await using var session = rc.CreateSshSession("lazy", server.Spec() with { MaxConnections = 1 });
        var first = new SleepMarker();
        var second = new SleepMarker();
        try
        {
            var running = new[] { session.Execute(first.Command) };
            await first.WaitSleepingAsync(1, Bound);
            Assert.Empty(Guardians(server));

            running = [.. running, session.Execute(second.Command)];
            await second.WaitSleepingAsync(1, Bound);
            await Poll.UntilAsync(() => Guardians(server).Count == 1, Bound, "the connection's guardian, started by its second command");

            // The sshd processes serving the connection (not the listener): the commands must end without a kill from RControl.
            var sleeper = (await first.LeftAsync()).First(pid => ProcessTree.Name(pid) == "sleep");
            var daemons = ProcessTree.AncestorsNamed(sleeper, "sshd").Where(pid => pid != server.Pid).ToArray();
            Assert.NotEmpty(daemons);
            foreach (var pid in daemons)
            {
                ProcessTree.Kill(pid);
            }

            await first.WaitGoneAsync(LeftBound);
            await second.WaitGoneAsync(LeftBound);
            foreach (var task in running)
            {
                await Assert.ThrowsAsync<TaskException>(() => task.WaitAsync().WaitAsync(Bound));
            }
        }
        finally
        {
            await first.KillLeftAsync();
            await second.KillLeftAsync();
        }
    }

    /// <summary>The guardian shells under this test's own sshd (its script, on its command line, defines <c>sweep()</c>; a registered command's names the guardian's directory only).</summary>
    private static List<int> Guardians(SshServer server) =>
        ProcessTree.Descendants(server.Pid ?? throw new InvalidOperationException("sshd is not running"))
            .Where(pid => CommandLine(pid).Contains("sweep()", StringComparison.Ordinal))
            .ToList();

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
