using System.Diagnostics;
using System.Globalization;
using RControl.TestSupport;

namespace RControl.Bench.Workloads;

/// <summary>
/// One run of an SSH workload through a Python peer (Debian's <c>python3-paramiko</c> 2.12 or <c>python3-fabric</c>
/// 2.6) in a child <c>/usr/bin/python3</c>: <c>Peers/ssh_peer.py</c> connects the sessions in parallel (a thread each),
/// runs the commands, checks every output and prints the workload's own time (interpreter start and imports excluded,
/// as the .NET side's start-up is).
/// </summary>
public static class PythonPeer
{
    private const string Python = "/usr/bin/python3";
    private const string ResultPrefix = "PEERRESULT ";

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Peers", "ssh_peer.py");

    /// <summary>Null when <paramref name="library"/> can be imported; otherwise why the peer is not measured.</summary>
    public static async Task<string?> WhyNotAsync(string library)
    {
        if (!File.Exists(Python))
        {
            return $"{Python} is missing";
        }

        var probe = await ProcessRunner.RunAsync(Python, ["-c", $"import {library}"]).ConfigureAwait(false);
        return probe.ExitCode == 0 ? null : $"{library} is not installed (apt-get install python3-{library})";
    }

    /// <summary>The seconds one run took (connect included); throws when a session failed or printed something else.</summary>
    public static async Task<PeerRun> RunAsync(SshServer server, string library, int sessions, int commands, string command, string expect)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            Script, "--lib", library, "--host", server.Host, "--port", server.Port.ToString(CultureInfo.InvariantCulture),
            "--user", server.User.Name, "--key", server.ClientKey.PrivateKeyFile, "--known-hosts", server.KnownHostsFile,
            "--sessions", sessions.ToString(CultureInfo.InvariantCulture), "--commands", commands.ToString(CultureInfo.InvariantCulture),
            "--command", command, "--expect", expect,
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var child = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {Python}");
        var stderr = child.StandardError.ReadToEndAsync();
        var output = await child.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await child.WaitForExitAsync().ConfigureAwait(false);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"{library} run exited with {child.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
        }

        var parts = line[ResultPrefix.Length..].Split(' ');
        return new PeerRun(
            double.Parse(parts[0], CultureInfo.InvariantCulture),
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            int.Parse(parts[2], CultureInfo.InvariantCulture),
            double.Parse(parts[3], CultureInfo.InvariantCulture));
    }
}

/// <summary>One peer run: its time, the peer process's peak resident set, its thread count at the peak and its CPU time (user + system) over the run.</summary>
public sealed record PeerRun(double Seconds, long PeakRssBytes, int Threads, double CpuSeconds);
