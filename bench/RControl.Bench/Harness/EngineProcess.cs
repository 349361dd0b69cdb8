using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using RControl.TestSupport;

namespace RControl.Bench.Harness;

/// <summary>
/// The real <c>rcontrol daemon</c> in a child process (the rcontrol.dll built beside the bench): engine and client in
/// separate processes, as users run them.
/// </summary>
public sealed class EngineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDir _dir;
    private readonly ConcurrentQueue<string> _output = new();

    private EngineProcess(Process process, TempDir dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"akka.tcp://rcontrol@127.0.0.1:{Port}";

    /// <summary>The daemon's state directory (CA, credentials, the job store <c>rcontrol.db</c>).</summary>
    public string StateDirectory => Path.Combine(_dir.Path, "state");

    /// <summary>The bootstrap admin credential the daemon created in its state directory.</summary>
    public string AdminCredential => Path.Combine(_dir.Path, "state", "admin.pfx");

    /// <summary>Starts a daemon with <paramref name="hocon"/> (its sessions and settings) and waits until it listens.</summary>
    public static async Task<EngineProcess> StartAsync(string hocon)
    {
        var dir = new TempDir();
        var port = FreePort.Get();
        var config = Path.Combine(dir.Path, "daemon.conf");
        await File.WriteAllTextAsync(config, hocon + string.Create(CultureInfo.InvariantCulture,
            $"\nakka.remote.dot-netty.tcp {{ hostname = \"127.0.0.1\", port = {port} }}\nrcontrol.daemon.state-dir = \"{Path.Combine(dir.Path, "state")}\"\nakka.loglevel = WARNING\n")).ConfigureAwait(false);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"));
        info.ArgumentList.Add("daemon");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        info.Environment["XDG_CONFIG_HOME"] = Path.Combine(dir.Path, "config");
        var process = new Process { StartInfo = info };
        var engine = new EngineProcess(process, dir, port);
        process.OutputDataReceived += (_, e) => engine.Add(e.Data);
        process.ErrorDataReceived += (_, e) => engine.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Poll.UntilAsync(
            () => Task.FromResult(engine._output.Any(l => l.Contains("RControl daemon listening on", StringComparison.Ordinal)) || process.HasExited),
            TimeSpan.FromSeconds(60),
            "the daemon to listen").ConfigureAwait(false);
        if (process.HasExited)
        {
            throw new InvalidOperationException("the daemon exited: " + string.Join(Environment.NewLine, engine._output));
        }

        return engine;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        _dir.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
