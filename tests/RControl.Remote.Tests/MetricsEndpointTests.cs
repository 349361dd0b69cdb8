using System.Net;
using System.Net.Http.Headers;
using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests;

/// <summary>
/// The real daemon's metrics: its Prometheus endpoint counts a small job, refuses every request without the bearer
/// token (loopback included), answers its health path; and <c>rcontrol daemon status</c> on a running and a stopped
/// daemon.
/// </summary>
public sealed class MetricsEndpointTests
{
    private static string Config(int metricsPort) => $$"""
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
        rcontrol {
          sessions { local { type = local } }
          daemon.metrics.prometheus { enabled = on, port = {{metricsPort}} }
        }
        """;

    [Fact]
    public async Task Prometheus_endpoint_counts_a_small_job_and_refuses_requests_without_the_token()
    {
        var metricsPort = Ports.Free();
        await using var daemon = await DaemonProcess.StartReadyAsync(Config(metricsPort));
        await daemon.WaitForOutputAsync("metrics: Prometheus endpoint on", TimeSpan.FromSeconds(10));
        var tokenFile = Path.Combine(daemon.StateDir, "metrics-token");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        var token = (await File.ReadAllTextAsync(tokenFile)).Trim();
        Assert.DoesNotContain(token, daemon.Output); // never logged

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        foreach (var path in new[] { "/metrics", "/healthz", "/other" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(path)).StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token[..^1] + (token[^1] == 'x' ? 'y' : 'x')) } };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("healthy", (await health.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/other")).StatusCode);

        // The small job: two commands that succeed (3 lines of output) and one that exits 3.
        await using (var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig))
        {
            var session = await client.GetSessionAsync("local");
            Assert.Equal(0, await session.Execute("echo one; echo two").WaitAsync());
            Assert.Equal(0, await session.Execute("echo three").WaitAsync());
            Assert.Equal(3, await session.Execute("exit 3", new CommandOptions { ExpectedExitCode = null }).WaitAsync());

            // And one job, counted by the rcontrol.jobs gauge from the daemon's store.
            var job = await client.SubmitAsync(new RControl.Jobs.JobRequest("metrics", [new RControl.Jobs.JobTask("local", "true")]));
            Assert.Equal(RControl.Jobs.JobState.Succeeded, (await client.WaitForJobAsync(job)).State);
        }

        string[] expected =
        [
            "rcontrol_tasks_started_total{* session=\"local\"} 4",
            "rcontrol_tasks_ended_total{* outcome=\"ok\",session=\"local\"} 3",
            "rcontrol_tasks_ended_total{* outcome=\"exit_nonzero\",session=\"local\"} 1",
            "rcontrol_tasks_running{* session=\"local\"} 0",
            "rcontrol_output_lines_total{* session=\"local\",stream=\"stdout\"} 3",
            "rcontrol_output_bytes_total{* session=\"local\",stream=\"stdout\"} 14",
            "rcontrol_task_duration_seconds_count{* outcome=\"ok\",session=\"local\"} 3",
            "rcontrol_jobs{* state=\"succeeded\"} 1",
        ];
        var text = "";
        await Poll.UntilAsync(
            async () =>
            {
                text = await http.GetStringAsync("/metrics");
                return expected.All(e => Has(text, e));
            },
            TimeSpan.FromSeconds(15),
            "the job's counts on the scrape endpoint");
        Assert.Contains("# TYPE rcontrol_task_duration_seconds histogram", text);
        Assert.Contains("rcontrol_ssh_connections{", text);
    }

    [Fact]
    public async Task Daemon_status_is_healthy_on_a_running_daemon_and_one_line_non_zero_on_a_stopped_one()
    {
        await using var daemon = await DaemonProcess.StartReadyAsync(Config(Ports.Free()));
        var healthy = await StatusAsync(daemon, "10s");
        Assert.True(healthy.ExitCode == 0, healthy.Stderr);
        Assert.Contains($"healthy: {daemon.Address} answers (logged in as 'admin'; 1 session(s))", healthy.Stdout);
        Assert.Equal("", healthy.Stderr);

        daemon.Signal(DaemonProcess.SigTerm);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var stopped = await StatusAsync(daemon, "2s");
        Assert.Equal(1, stopped.ExitCode);
        Assert.Equal("", stopped.Stdout);
        var line = Assert.Single(stopped.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("rcontrol daemon status: unhealthy: cannot reach the RControl engine at", line);
    }

    [Fact]
    public async Task An_unknown_metrics_key_fails_the_start_with_one_line()
    {
        await using var daemon = DaemonProcess.Start(Config(Ports.Free()).Replace("enabled = on", "enabled = on, prot = 1", StringComparison.Ordinal));
        Assert.Equal(2, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        await daemon.WaitForOutputAsync("daemon.conf:4: rcontrol.daemon.metrics.prometheus: unknown key 'prot' (did you mean 'port'?)", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Otlp_pushes_the_counts_to_a_collector()
    {
        // A minimal OTLP/HTTP collector: it keeps the bodies (protobuf, whose strings are plain UTF-8) of every export.
        var port = Ports.Free();
        using var collector = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        collector.Start();
        var bodies = new System.Collections.Concurrent.ConcurrentQueue<(string Path, string Body)>();
        _ = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await collector.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                bodies.Enqueue((context.Request.Url!.AbsolutePath, System.Text.Encoding.UTF8.GetString(body.ToArray())));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        var config = $$"""
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {port} }
            rcontrol {
              sessions { local { type = local } }
              daemon.metrics.otlp { enabled = on, endpoint = "http://127.0.0.1:{{port}}/v1/metrics", protocol = "http/protobuf", interval = 1s }
            }
            """;
        await using var daemon = await DaemonProcess.StartReadyAsync(config);
        await using (var client = await RemoteEngine.ConnectAsync(daemon.Address, daemon.AdminConfig))
        {
            Assert.Equal(0, await (await client.GetSessionAsync("local")).Execute("echo pushed").WaitAsync());
        }

        await Poll.UntilAsync(
            () => bodies.Any(b => b.Path == "/v1/metrics" && b.Body.Contains("rcontrol.tasks.ended", StringComparison.Ordinal) && b.Body.Contains("rcontrol.output.lines", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20),
            "an OTLP export with the task counts");
        Assert.Contains(bodies, b => b.Body.Contains("rcontrol-daemon", StringComparison.Ordinal)); // service.name
    }

    /// <summary>Whether a metric line matches, <c>*</c> standing for the scope labels before the test's own.</summary>
    private static bool Has(string text, string pattern)
    {
        var (name, rest) = (pattern[..pattern.IndexOf("{* ", StringComparison.Ordinal)], pattern[(pattern.IndexOf("{* ", StringComparison.Ordinal) + 3)..]);
        return text.Split('\n').Any(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.EndsWith(rest, StringComparison.Ordinal)
            && l.Contains(",", StringComparison.Ordinal));
    }

    private static Task<ProcessResult> StatusAsync(DaemonProcess daemon, string timeout) =>
        ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "rcontrol.dll"), "daemon", "status", "--daemon", daemon.Address, "--credential", daemon.AdminCredential, "--timeout", timeout]);
}
