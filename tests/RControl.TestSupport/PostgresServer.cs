using System.Diagnostics;
using System.Net.Sockets;

namespace RControl.TestSupport;

/// <summary>
/// A private PostgreSQL cluster for tests (Debian's <c>postgresql</c> package, installed by <c>.ci/run</c>): <c>initdb</c>
/// in a temporary directory and <c>postgres</c> on a free loopback port, both run as the <c>postgres</c> OS user (they
/// refuse root). Each caller gets its own database (<see cref="CreateDatabaseAsync"/>). Stopped and deleted on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string OsUser = "postgres";

    private readonly string _dir;
    private Process _process;
    private readonly List<string> _log = [];

    private PostgresServer(string dir, Process process, int port)
    {
        _dir = dir;
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server's output so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join(Environment.NewLine, _log);
            }
        }
    }

    /// <summary>The superuser's connection string to a database of this cluster.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username={OsUser};Database={database};Pooling=true;Timeout=30";

    /// <summary>The directory of the newest PostgreSQL binaries (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>).</summary>
    public static string BinDirectory =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
                ?? throw new InvalidOperationException("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql; .ci/run does)")
            : throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)");

    /// <summary>Initialises and starts a cluster; returns once it accepts connections.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var bin = BinDirectory;
        var dir = Directory.CreateTempSubdirectory("rcontrol-pg-").FullName;
        var data = Path.Combine(dir, "data");
        await RunAsync("chown", [OsUser, dir], cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await RunAsync("runuser", ["-u", OsUser, "--", Path.Combine(bin, "initdb"), "-D", data, "-A", "trust", "-U", OsUser, "--no-sync", "-E", "UTF8"], cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Get();
            var process = Launch(bin, data, dir, port);
            var server = new PostgresServer(dir, process, port);
            server.Follow(process);
            try
            {
                await Poll.UntilAsync(() => process.HasExited || Accepts(port), TimeSpan.FromSeconds(60), "postgres accepting connections", cancellationToken).ConfigureAwait(false);
                if (!process.HasExited)
                {
                    // The port accepts before the cluster is ready for logins: wait for "ready to accept connections".
                    await Poll.UntilAsync(() => server.Log.Contains("ready to accept connections", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "postgres ready", cancellationToken).ConfigureAwait(false);
                    return server;
                }
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            if (attempt >= 3)
            {
                var log = server.Log;
                await server.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"postgres did not start: {log}");
            }
        }
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await RunAsync("runuser", ["-u", OsUser, "--", Path.Combine(BinDirectory, "psql"), "-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", OsUser, "-d", "postgres", "-q", "-c", $"CREATE DATABASE {name}"], cancellationToken).ConfigureAwait(false);
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await RunAsync("runuser", ["-u", OsUser, "--", Path.Combine(BinDirectory, "pg_ctl"), "stop", "-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w"], CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                ProcessTree.Kill(_process.Id);
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A postgres child still closing a file: the temp directory is left.
        }
    }

    /// <summary>Stops the server (fast shutdown: clients are disconnected); <see cref="StartAgainAsync"/> brings it back.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync("runuser", ["-u", OsUser, "--", Path.Combine(BinDirectory, "pg_ctl"), "stop", "-D", Path.Combine(_dir, "data"), "-m", "fast", "-w"], cancellationToken).ConfigureAwait(false);
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the stopped server again on the same port and data; returns once it accepts logins.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        int ReadyLines() => Log.Split(Environment.NewLine).Count(l => l.Contains("ready to accept connections", StringComparison.Ordinal));
        var before = ReadyLines();
        _process.Dispose();
        _process = Launch(BinDirectory, Path.Combine(_dir, "data"), _dir, Port);
        Follow(_process);
        await Poll.UntilAsync(() => _process.HasExited || ReadyLines() > before, TimeSpan.FromSeconds(60), "postgres ready again", cancellationToken).ConfigureAwait(false);
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"postgres did not start again: {Log}");
        }
    }

    private static Process Launch(string bin, string data, string dir, int port)
    {
        var info = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            "-u", OsUser, "--", Path.Combine(bin, "postgres"), "-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        })
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("cannot start postgres");
    }

    private void Follow(Process process)
    {
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/tmp" };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }
}
