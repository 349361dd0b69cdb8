using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using RControl.TestSupport;

namespace RControl.Cluster.Tests.Support;

/// <summary>A real <c>rcontrol daemon</c> process (the built rcontrol.dll), output captured, started from a config file.</summary>
public sealed partial class DaemonNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private DaemonNode(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"akka.ssl.tcp://rcontrol@127.0.0.1:{Port}";

    public string Output => string.Join(Environment.NewLine, _lines);

    public IEnumerable<string> Lines => _lines;

    /// <summary>The sessions this node has started a task on so far (from its <c>task … started on session …</c> log lines).</summary>
    public HashSet<string> StartedSessions =>
        Lines.Select(l => StartedLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>rcontrol daemon --config FILE</c> with <paramref name="configHome"/> as the user's config home.</summary>
    public static DaemonNode Start(string configFile, int port, string configHome)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(configFile)!,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"));
        info.ArgumentList.Add("daemon");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(configFile);
        info.Environment["XDG_CONFIG_HOME"] = configHome;
        info.Environment.Remove("RCONTROL_CREDENTIAL");
        var process = new Process { StartInfo = info };
        var node = new DaemonNode(process, port);
        process.OutputDataReceived += (_, e) => node.Add(e.Data);
        process.ErrorDataReceived += (_, e) => node.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Polls the output until a line contains <paramref name="text"/> (fails with the output so far).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        try
        {
            await Poll.UntilAsync(() => _lines.Any(l => l.Contains(text, StringComparison.Ordinal)) || _process.HasExited, timeout, $"'{text}'");
        }
        catch (TimeoutException)
        {
        }

        if (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            throw new Xunit.Sdk.XunitException($"daemon {Port} output has no '{text}' (exited: {_process.HasExited}):{Environment.NewLine}{Output}");
        }
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to the cluster.</summary>
    public async Task SigKillAsync()
    {
        if (Kill(_process.Id, 9) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, 9) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGSTOP for <paramref name="pause"/>, then SIGCONT: the node stalls as a starved or garbage-collecting process does
    /// (no heartbeats sent or answered), then goes on where it was.
    /// </summary>
    public async Task StallAsync(TimeSpan pause)
    {
        if (Kill(_process.Id, 19) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGSTOP) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            await Task.Delay(pause);
        }
        finally
        {
            Kill(_process.Id, 18);
        }
    }

    /// <summary>The lines where the node tells what the cluster decided: reachability, the split-brain resolver's decisions, member changes.</summary>
    public string ClusterVerdicts => string.Join(Environment.NewLine, Lines.Where(l =>
        l.Contains("UNREACHABLE", StringComparison.Ordinal) || l.Contains("SBR took decision", StringComparison.Ordinal)
        || l.Contains("heartbeat was delayed", StringComparison.Ordinal) || l.Contains("Shutting down myself", StringComparison.Ordinal)
        || l.Contains("cluster member", StringComparison.Ordinal)));

    /// <summary>SIGTERM: the daemon's own shutdown (its tasks' grace period, then Akka leaves the cluster); returns its exit code.</summary>
    public async Task<int> SigTermAsync(TimeSpan timeout)
    {
        if (Kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, 15) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [System.Text.RegularExpressions.GeneratedRegex(@"task \w+ started on session (\S+):")]
    private static partial System.Text.RegularExpressions.Regex StartedLine();
}
