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
    private readonly string _state;

    private EngineProcess(Process process, TempDir dir, int port, string state)
    {
        _process = process;
        _dir = dir;
        Port = port;
        _state = state;
    }

    /// <summary>The daemon's process id (for its /proc status: resident set, threads).</summary>
    public int ProcessId => _process.Id;

    public int Port { get; }

    public string Address => $"akka.tcp://rcontrol@127.0.0.1:{Port}";

    /// <summary>Its address as a cluster node (cluster members name the TLS transport in their addresses).</summary>
    public string ClusterAddress => $"akka.ssl.tcp://rcontrol@127.0.0.1:{Port}";

    /// <summary>The daemon's state directory (CA, credentials, the job store <c>rcontrol.db</c>).</summary>
    public string StateDirectory => _state;

    /// <summary>The bootstrap admin credential the daemon created in its state directory.</summary>
    public string AdminCredential => Path.Combine(_state, "admin.pfx");

    /// <summary>A quiet client logged in with <see cref="AdminCredential"/> at <paramref name="address"/> (<see cref="Address"/> when null).</summary>
    public Task<RControl.Remote.RemoteEngine> ConnectAsAdminAsync(string? address = null) =>
        RControl.Remote.RemoteEngine.ConnectAsync(
            address ?? Address,
            TestCredentials.ForFile(AdminCredential).WithFallback(Akka.Configuration.ConfigurationFactory.ParseString(Engines.QuietHocon)));

    /// <summary>Starts a daemon with <paramref name="hocon"/> (its sessions and settings) and waits until it listens.</summary>
    /// <param name="port">Its port (a free one when 0).</param>
    /// <param name="stateDirectory">A state directory shared with other daemons (cluster nodes: one CA); its own when null.</param>
    public static async Task<EngineProcess> StartAsync(string hocon, int port = 0, string? stateDirectory = null)
    {
        var dir = new TempDir();
        port = port == 0 ? FreePort.Get() : port;
        var state = stateDirectory ?? Path.Combine(dir.Path, "state");
        var config = Path.Combine(dir.Path, "daemon.conf");
        await File.WriteAllTextAsync(config, hocon + string.Create(CultureInfo.InvariantCulture,
            $"\nakka.remote.dot-netty.tcp {{ hostname = \"127.0.0.1\", port = {port} }}\nrcontrol.daemon.state-dir = \"{state}\"\nakka.loglevel = WARNING\n")).ConfigureAwait(false);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"));
        info.ArgumentList.Add("daemon");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        info.Environment["XDG_CONFIG_HOME"] = Path.Combine(dir.Path, "config");
        var process = new Process { StartInfo = info };
        var engine = new EngineProcess(process, dir, port, state);
        process.OutputDataReceived += (_, e) => engine.Add(e.Data);
        process.ErrorDataReceived += (_, e) => engine.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Poll.UntilAsync(
            () => Task.FromResult(engine._output.Any(l => l.Contains("RControl daemon listening on", StringComparison.Ordinal)) || process.HasExited),
            TimeSpan.FromSeconds(180),
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
