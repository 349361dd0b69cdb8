using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using RControl.Actors;
using RControl.Files;
using RControl.Protocol;
using RControl.Remote.Tests.Support;
using RControl.TestSupport;

namespace RControl.Remote.Tests;

/// <summary>Each identity may do what its grant says, nothing else; one clear error per refusal, each in the audit log.</summary>
public sealed class AuthorizationTests : IAsyncLifetime
{
    private const string Config = """
        rcontrol {
          sessions {
            web1 { type = local, working-directory = "/tmp" }
            db1 { type = local, working-directory = "/tmp" }
          }
          groups { web = [web1] }
          clients {
            ci { sessions = [web], operations = [exec, file-read] }
            auditor { sessions = ["*"], operations = [file-read] }
            deployer { sessions = [web1, db1], operations = [exec, open] }
          }
        }
        """;

    private readonly TestCredentials _credentials = new();
    private readonly ConcurrentQueue<string> _audit = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("rcontrol-authz-").FullName;
    private ActorSystem _engine = null!;
    private string _address = "";

    public Task InitializeAsync()
    {
        _engine = EngineFixture.StartEngineSystem(Config, _credentials);
        var audit = _audit;
        var collector = _engine.ActorOf(Props.Create(() => new AuditCollector(audit)));
        _engine.EventStream.Subscribe(collector, typeof(LogEvent));
        _address = ((ExtendedActorSystem)_engine).Provider.DefaultAddress.ToString();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _engine.Terminate();
        _credentials.Dispose();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Ci_may_exec_and_read_on_its_group_and_nothing_else()
    {
        await using var ci = await ConnectAsync("ci");
        Assert.Equal("ci", ci.Identity);
        Assert.Equal(["web1"], await ci.ListSessionsAsync());

        var web1 = await ci.GetSessionAsync("web1");
        Assert.Equal(0, await web1.Execute("true").WaitAsync());
        var file = Path.Combine(_dir, "readable.txt");
        await File.WriteAllTextAsync(file, "content");
        Assert.NotNull(await web1.StatAsync(file));

        var write = await Assert.ThrowsAsync<FileOperationException>(() => web1.MkdirAsync(Path.Combine(_dir, "ci-made")));
        Assert.Equal(FileErrorKind.PermissionDenied, write.Kind);
        Assert.Contains("client 'ci' may not file-write on session 'web1'", write.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "ci-made")));

        var db1 = await Assert.ThrowsAsync<AccessDeniedException>(() => ci.GetSessionAsync("db1"));
        Assert.Equal("client 'ci' may not use session 'db1'", db1.Message);
        var open = await Assert.ThrowsAsync<AccessDeniedException>(() => ci.OpenSessionAsync("mine", new LocalSessionSpec()));
        Assert.Equal("client 'ci' may not open on session 'mine'", open.Message);
        var close = await Assert.ThrowsAsync<AccessDeniedException>(() => ci.CloseSessionAsync("web1"));
        Assert.Equal("client 'ci' may not close session 'web1'", close.Message);

        await AuditedAsync("DENIED ci", "client 'ci' may not file-write on session 'web1'");
        await AuditedAsync("DENIED ci", "client 'ci' may not use session 'db1'");
        await AuditedAsync("ci from", "exec on session web1");
    }

    [Fact]
    public async Task The_auditor_may_read_everywhere_but_not_exec_and_nothing_runs()
    {
        await using var auditor = await ConnectAsync("auditor");
        Assert.Equal(["db1", "web1"], await auditor.ListSessionsAsync());
        var db1 = await auditor.GetSessionAsync("db1");
        var marker = Path.Combine(_dir, $"auditor-ran-{Guid.NewGuid():N}");
        var error = await Assert.ThrowsAsync<TaskException>(() => db1.Execute($"touch {marker}").WaitAsync());
        Assert.Contains("client 'auditor' may not exec on session 'db1'", error.Message);
        Assert.False(File.Exists(marker));
        var file = Path.Combine(_dir, "read-me.txt");
        await File.WriteAllTextAsync(file, "for the auditor");
        await using var local = auditor.System.CreateLocalSession($"auditor-local-{Guid.NewGuid():N}");
        var copy = Path.Combine(_dir, "auditor-copy.txt");
        await db1.CopyFileAsync(file, local, copy);
        Assert.Equal("for the auditor", await File.ReadAllTextAsync(copy));
        await AuditedAsync("DENIED auditor", "client 'auditor' may not exec on session 'db1'");
        await AuditedAsync("auditor from", "file open on session db1");
    }

    [Fact]
    public async Task An_unknown_identity_of_the_ca_logs_in_but_may_do_nothing()
    {
        await using var nobody = await ConnectAsync("nobody");
        Assert.Empty(await nobody.ListSessionsAsync());
        var error = await Assert.ThrowsAsync<AccessDeniedException>(() => nobody.GetSessionAsync("web1"));
        Assert.Equal("client 'nobody' may not use session 'web1'", error.Message);
        await AuditedAsync("DENIED nobody", "may not use session 'web1'");
    }

    [Fact]
    public async Task A_client_cannot_kill_another_clients_task_but_its_own_and_admin_can()
    {
        await using var ci = await ConnectAsync("ci");
        await using var deployer = await ConnectAsync("deployer");
        await using var admin = await ConnectAsync("admin");
        var marker = Random.Shared.Next(10000000, 99999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ciWeb = await ci.GetSessionAsync("web1");
        var started = new TaskCompletionSource();
        var victim = ciWeb.Execute($"echo up; exec sleep 1000.{marker}", new CommandOptions { OnStdout = (_, _) => started.TrySetResult() });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var pattern = $"sleep 1000.{marker}";

        // The deployer knows the task id and sends the kill through its own view of the session: refused.
        var deployerWeb = await deployer.GetSessionAsync("web1");
        deployerWeb.SessionActor.Tell(new KillCommand(victim.Id));
        await AuditedAsync("DENIED deployer", $"task {victim.Id} is not its own");
        Assert.True(victim.IsRunning);
        Assert.NotEmpty(await ProcessRunner.PgrepAsync(pattern));

        // Admin may kill anyone's task.
        var adminWeb = await admin.GetSessionAsync("web1");
        adminWeb.SessionActor.Tell(new KillCommand(victim.Id));
        await Assert.ThrowsAsync<TaskCancelledException>(() => victim.WaitAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync(pattern)).Count == 0, TimeSpan.FromSeconds(10), "the killed command's process to disappear");
        await AuditedAsync("admin from", $"kill task {victim.Id} on session web1 (another client's)");

        // Its own: the ordinary kill.
        var own = ciWeb.Execute($"exec sleep 1001.{marker}");
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync($"sleep 1001.{marker}")).Count == 1, TimeSpan.FromSeconds(10), "the client's own command to run");
        await own.KillAsync();
        await Assert.ThrowsAsync<TaskCancelledException>(() => own.WaitAsync());
        await Poll.UntilAsync(async () => (await ProcessRunner.PgrepAsync($"sleep 1001.{marker}")).Count == 0, TimeSpan.FromSeconds(10), "the client's own killed command to disappear");
    }

    [Fact]
    public async Task The_deployer_may_open_and_close_sessions_and_exec_there()
    {
        await using var deployer = await ConnectAsync("deployer");
        var name = $"scratch-{Guid.NewGuid():N}";
        var scratch = await Assert.ThrowsAsync<AccessDeniedException>(() => deployer.OpenSessionAsync(name, new LocalSessionSpec()));
        Assert.Equal($"client 'deployer' may not open on session '{name}'", scratch.Message);
        await deployer.CloseSessionAsync("db1");
        var reopened = await deployer.OpenSessionAsync("db1", new LocalSessionSpec { WorkingDirectory = _dir });
        var lines = new List<string>();
        Assert.Equal(0, await reopened.Execute("pwd", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
        Assert.Equal([_dir], lines);
        await AuditedAsync("deployer from", "closed session db1");
    }

    private Task<RemoteEngine> ConnectAsync(string identity) => RemoteEngine.ConnectAsync(_address, _credentials.ClientConfig(identity));

    private Task AuditedAsync(string who, string what) =>
        Poll.UntilAsync(
            () => _audit.Any(l => l.Contains(who, StringComparison.Ordinal) && l.Contains(what, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            $"an audit line with '{who}' and '{what}' (have: {string.Join(" | ", _audit)})");

    private sealed class AuditCollector : ReceiveActor
    {
        public AuditCollector(ConcurrentQueue<string> lines) =>
            Receive<LogEvent>(e =>
            {
                var text = e.Message?.ToString() ?? "";
                if (text.Contains("audit:", StringComparison.Ordinal) || e.LogSource.Contains("Audit", StringComparison.Ordinal))
                {
                    lines.Enqueue(e.ToString());
                }
            });
    }
}
