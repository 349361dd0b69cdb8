using RControl.TestSupport;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RControl.Remote.Tests.Support;

/// <summary>The real <c>rcontrol daemon</c> (the built rcontrol.dll) run by <c>dotnet</c>, with its output captured.</summary>
public sealed partial class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly string _dir;

    private DaemonProcess(Process process, string dir)
    {
        _process = process;
        _dir = dir;
    }

    public int Port { get; private init; }

    public string Address => $"akka.tcp://rcontrol@127.0.0.1:{Port}";

    public string Output => string.Join(Environment.NewLine, _lines);

    /// <summary>The daemon's state directory (its CA, certificates and the bootstrap admin credential).</summary>
    public string StateDir => Path.Combine(_dir, "state");

    /// <summary>The daemon user's <c>XDG_CONFIG_HOME</c>: where it publishes the admin credential for its CLI.</summary>
    public string ConfigHome => Path.Combine(_dir, "config");

    /// <summary>The bootstrap admin credential.</summary>
    public string AdminCredential => Path.Combine(StateDir, "admin.pfx");

    /// <summary>A client config logging in with the admin credential.</summary>
    public Akka.Configuration.Config AdminConfig => TestCredentials.ForFile(AdminCredential);

    public bool HasExited => _process.HasExited;

    public int Pid => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Writes the config (with <c>{port}</c> replaced by a free port, and a state directory of its own unless the config
    /// names one) and starts the daemon; does not wait for it.
    /// </summary>
    public static DaemonProcess Start(string hocon, IDictionary<string, string>? environment = null, string? dir = null, int? port = null)
    {
        dir ??= System.IO.Directory.CreateTempSubdirectory("rcontrol-daemon-").FullName;
        port ??= Ports.Free();
        var config = Path.Combine(dir, "daemon.conf");
        var text = hocon.Replace("{port}", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (!text.Contains("state-dir", StringComparison.Ordinal))
        {
            text += $"\nrcontrol.daemon.state-dir = \"{Path.Combine(dir, "state")}\"\n";
        }

        File.WriteAllText(config, text);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"));
        info.ArgumentList.Add("daemon");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        info.Environment["XDG_CONFIG_HOME"] = Path.Combine(dir, "config");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var daemon = new DaemonProcess(process, dir) { Port = port.Value };
        process.OutputDataReceived += (_, e) => daemon.Add(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Starts the daemon and waits until it announces its endpoint.</summary>
    public static async Task<DaemonProcess> StartReadyAsync(string hocon, IDictionary<string, string>? environment = null, string? dir = null, int? port = null)
    {
        var daemon = Start(hocon, environment, dir, port);
        await daemon.WaitForOutputAsync("RControl daemon listening on", TimeSpan.FromSeconds(60));
        return daemon;
    }

    /// <summary>Polls the captured output until a line contains the text (fails with the output so far).</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        bool Seen() => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    if (Seen() || !_process.HasExited)
                    {
                        return Seen();
                    }

                    // Exited: waiting for the exit again also waits until the output readers reached the end.
                    await _process.WaitForExitAsync();
                    return Seen() ? true : throw new TimeoutException("the daemon exited");
                },
                timeout,
                $"'{text}' in the daemon output");
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"daemon output has no '{text}' (exited: {_process.HasExited}):{Environment.NewLine}{Output}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public const int SigTerm = 15;

    public const int SigKill = 9;

    /// <summary>The daemon's directory (config, state): give it to <see cref="Start"/> to restart the same daemon.</summary>
    public string Directory => _dir;

    /// <summary>Stops the process (SIGKILL) and keeps its directory, for a restart.</summary>
    public async Task KillKeepingStateAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Keep the directory at dispose (another process reuses it).</summary>
    public bool KeepDirectory { get; set; }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (!KeepDirectory)
        {
            System.IO.Directory.Delete(_dir, true);
        }
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
}
