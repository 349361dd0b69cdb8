using System.Globalization;
using RControl.Protocol;

namespace RControl.Bench.Workloads;

/// <summary>
/// The API side of the CLI streaming row (bench/startup/startup.sh with <c>API=…</c>): a fresh process that starts the
/// engine, runs one command on a local or SSH session with its lines into a counting callback, prints the count and
/// ends, as <c>rcontrol exec … | wc -l</c> does through the CLI.
/// </summary>
public static class ApiLinesChild
{
    /// <summary>The first argument that selects this mode.</summary>
    public const string Flag = "api-lines";

    /// <summary>
    /// <c>api-lines local COMMAND</c> or <c>api-lines ssh HOST PORT USER KEY KNOWN_HOSTS COMMAND</c>: prints the number of
    /// stdout lines; status 0 when the command succeeded.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        SessionSpec spec = args[0] == "local"
            ? new LocalSessionSpec()
            : new SshSessionSpec(args[1])
            {
                Port = int.Parse(args[2], CultureInfo.InvariantCulture),
                User = args[3],
                IdentityFiles = [args[4]],
                KnownHostsFile = args[5],
                HostKeyPolicy = HostKeyPolicy.Strict,
            };
        var command = args[^1];
        await using var system = RControlSystem.Create("akka.loglevel = OFF\nakka.stdout-loglevel = OFF");
        var session = system.CreateSession("target", spec);
        long lines = 0;
        await session.Execute(command, new CommandOptions { OnStdout = (_, _) => lines++ }).WaitAsync().ConfigureAwait(false);
        await session.CloseAsync().ConfigureAwait(false);
        Console.WriteLine(lines.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
