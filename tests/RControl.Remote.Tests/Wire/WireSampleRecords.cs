using Akka.Actor;
using RControl.Actors;
using RControl.Files;
using RControl.Protocol;
using RControl.Jobs;
using J = RControl.Jobs.JobProtocol;
using P = RControl.Protocol.FileProtocol;

namespace RControl.Remote.Tests.Wire;

/// <summary>One sample record per manifest of the wire protocol, with every field set to something distinctive.</summary>
internal static class WireSampleRecords
{
    /// <summary>The name of the actor system that decodes the samples (the session actor path of <c>SessionFound</c> is in it).</summary>
    public const string SystemName = "golden-wire";

    public const string SessionPath = "akka://golden-wire/user/rcontrol-engine-1/session-1";

    public static IReadOnlyDictionary<string, object> Create(ExtendedActorSystem system)
    {
        var spec = new CommandSpec("echo hi")
        {
            CombineStderr = false,
            WorkingDirectory = "/tmp",
            Environment = new Dictionary<string, string> { ["A"] = "1", ["B"] = "ü" },
            Timeout = TimeSpan.FromSeconds(3),
            OutputTimeout = TimeSpan.FromMilliseconds(250),
        };
        var ssh = new SshSessionSpec("web1.example.com")
        {
            Port = 2222,
            User = "deploy",
            IdentityFiles = ["~/.ssh/id_ed25519", "/k2"],
            Password = "s3cret",
            Passphrase = "phrase",
            KnownHostsFile = "/etc/kh",
            HostKeyPolicy = HostKeyPolicy.AcceptNew,
            ProxyJump = "bastion",
            SshConfigFile = "/etc/ssh_config",
            ConnectTimeout = TimeSpan.FromSeconds(3),
            ConnectBudget = TimeSpan.FromSeconds(20),
            KeepAlive = TimeSpan.FromSeconds(4),
            MaxChannels = 5,
            MaxConnections = 2,
            KeyExchangeAlgorithms = ["curve25519-sha256"],
            JumpHosts = new Dictionary<string, SshSessionSpec> { ["bastion"] = Jump("jump-secret") },
        };
        var when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var stat = new FileStat(FileKind.Directory, 42, UnixFileMode.UserRead | UnixFileMode.UserExecute, when);
        var session = system.Provider.ResolveActorRef(SessionPath);
        return new Dictionary<string, object>
        {
            ["Execute"] = new ExecuteCommand("0123456789abcdef0123456789abcdef", spec),
            ["Kill"] = new KillCommand("0123456789abcdef0123456789abcdef"),
            ["Output"] = new CommandOutput("t1", OutputStream.Stderr, ["line 1", "", "é ✓ \r"]),
            ["OutputAck"] = new CommandOutputAck("t1", OutputStream.Stderr),
            ["Completed"] = new CommandCompleted("t1", CommandEnd.Exited, 3, "bad exit code"),
            ["CommandSpec"] = spec,
            ["OpenSession"] = new OpenSession("web1", ssh),
            ["GetSession"] = new GetSession("web1"),
            ["CloseSession"] = new CloseSession("web1"),
            ["ListSessions"] = ListSessions.Instance,
            ["SessionFound"] = new SessionFound("web1", session, ssh with { Password = null, Passphrase = null, JumpHosts = new Dictionary<string, SshSessionSpec> { ["bastion"] = Jump(null) } }),
            ["SessionNotFound"] = new SessionNotFound("web9", ["web1", "web2"]),
            ["SessionClosed"] = new SessionClosed("web1"),
            ["SessionList"] = new SessionList(["local", "web1"]),
            ["SessionSpec"] = new LocalSessionSpec { WorkingDirectory = "/srv" },
            ["StatPath"] = new P.StatPath("web1", "/etc/hosts", FollowLinks: true),
            ["ListDirectory"] = new P.ListDirectory("web1", "/etc"),
            ["MakeDirectory"] = new P.MakeDirectory("web1", "/srv/new"),
            ["RemoveFile"] = new P.RemoveFile("web1", "/srv/a.txt"),
            ["RemoveDirectory"] = new P.RemoveDirectory("web1", "/srv/old"),
            ["RenamePath"] = new P.RenamePath("web1", "/srv/a", "/srv/b"),
            ["ReadLink"] = new P.ReadLink("web1", "/srv/link"),
            ["CreateSymlink"] = new P.CreateSymlink("web1", "/srv/link", "../target"),
            ["ChangeMode"] = new P.ChangeMode("web1", "/srv/run.sh", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead),
            ["OpenFile"] = new P.OpenFile("web1", "/srv/out.log", FileOpenMode.Append),
            ["ReadChunk"] = new P.ReadChunk(7, 65536, "/srv/in.bin"),
            ["WriteChunk"] = new P.WriteChunk(7, [0, 1, 2, 254, 255], "/srv/out.bin"),
            ["CloseFile"] = new P.CloseFile(7, "/srv/out.bin"),
            ["StatAnswer"] = new P.StatAnswer(stat),
            ["DirectoryListing"] = new P.DirectoryListing([new FileEntry("a", stat), new FileEntry("b.txt", stat with { Kind = FileKind.File, Size = 0 })]),
            ["LinkTarget"] = new P.LinkTarget("../target"),
            ["FileOpened"] = new P.FileOpened(7),
            ["FileChunk"] = new P.Chunk([9, 8, 7]),
            ["FileDone"] = P.Done.Instance,
            ["FileFailed"] = new P.Failed(FileErrorKind.NotFound, "stat", "/x", "no such file or directory"),
            ["LoginHello"] = new Login.Hello([0x30, 0x82, 0x01, 0x0a], session),
            ["LoginChallenge"] = new Login.Challenge([1, 2, 3, 4, 5, 6, 7, 8], session),
            ["LoginProof"] = new Login.Proof([0x30, 0x45, 0x02, 0x21]),
            ["LoginAccepted"] = new Login.Accepted("ci", Admin: false),
            ["LoginRefused"] = new Login.Refused("certificate refused: CN=x expired on 2026-01-01 00:00:00Z"),
            ["AccessDenied"] = new AccessDenied("client 'ci' may not exec on session 'db1'"),
            ["SubmitJob"] = new J.Submit(new JobRequest("deploy.hocon", [
                new JobTask("web1", "make deploy") { Name = "deploy", After = ["build"], Timeout = TimeSpan.FromSeconds(90), OutputTimeout = TimeSpan.FromSeconds(5), ExpectedExitCode = null, CombineStderr = false },
                new JobTask("web2", "make") { Name = "build", ExpectedExitCode = 2 },
                JobTask.ForCopy("web1", new JobCopy("builder", "/out", "web1", "/srv/app")) with { Name = "push", After = ["build"] },
            ]) { Kind = "plan", Fanout = 3, StopAllOnFailure = true, Sessions = new Dictionary<string, SessionSpec> { ["builder"] = ssh, ["here"] = new LocalSessionSpec { WorkingDirectory = "/w" } } }),
            ["JobSubmitted"] = new J.Submitted("0a1b2c3d4e5f"),
            ["GetJob"] = new J.Get("0a1b2c3d4e5f"),
            ["JobFound"] = new J.Found(SampleJob(when)),
            ["JobNotFound"] = new J.JobNotFound("0a1b2c3d4e5f"),
            ["ListJobs"] = new J.List(new JobQuery { RunningOnly = true, Mine = true, Since = when, Limit = 50 }),
            ["JobList"] = new J.JobList([SampleJob(when) with { Tasks = [] }]),
            ["ReadJobOutput"] = new J.ReadOutput("0a1b2c3d4e5f", 41, TimeSpan.FromSeconds(5)),
            ["JobOutputPage"] = new J.OutputPage("0a1b2c3d4e5f", [new J.OutputChunk(42, 1, true, when, ["line 1", "", "é ✓ \r"])], Ended: true, LastSeq: 42),
            ["KillJob"] = new J.Kill("0a1b2c3d4e5f"),
            ["JobKillAccepted"] = new J.KillAccepted("0a1b2c3d4e5f", WasRunning: true),
            ["WaitJob"] = new J.WaitFor("0a1b2c3d4e5f", TimeSpan.FromSeconds(5)),
            ["ReadAudit"] = new J.ReadAudit(when, 17, 500),
            ["AuditPage"] = new J.AuditPage([new J.StoredAuditEntry(18, new AuditEntry(when, "ci", "akka.ssl.tcp://rcontrol-client@127.0.0.1:40000", "denied", "client 'ci' may not exec on session 'db1'"))]),
            ["ListNodes"] = new Cluster.ClusterNodes.ListNodes(LocalOnly: true),
            ["NodeList"] = new Cluster.ClusterNodes.NodeList(
            [
                new Cluster.ClusterMember("akka.ssl.tcp://rcontrol@10.0.0.1:4053", "Up", ["dc-eu"], 120, 7, 2),
                new Cluster.ClusterMember("akka.ssl.tcp://rcontrol@10.0.0.2:4053", "Leaving", [], null, null, null),
            ]),
        };
    }

    /// <summary>A job with every field set.</summary>
    private static JobInfo SampleJob(DateTimeOffset when) => new("0a1b2c3d4e5f", "ci", "plan", "deploy.hocon", JobState.Failed, when)
    {
        Targets = ["web1", "web2"],
        StartedAt = when.AddSeconds(1),
        EndedAt = when.AddSeconds(9),
        Succeeded = 1,
        Failed = 1,
        TimedOut = 0,
        OutputBytes = 123456,
        Truncated = true,
        Tasks =
        [
            new JobTaskInfo(0, "build", "web2", "make", JobState.Succeeded) { StartedAt = when.AddSeconds(1), EndedAt = when.AddSeconds(4), ExitCode = 0 },
            new JobTaskInfo(1, "deploy", "web1", "make deploy", JobState.Interrupted) { StartedAt = when.AddSeconds(4), EndedAt = when.AddSeconds(9), Error = "interrupted (daemon restarted)" },
        ],
    };

    /// <summary>A jump host with every value given, so that a change of the defaults does not change the samples.</summary>
    private static SshSessionSpec Jump(string? password) => new("bastion.example.com")
    {
        User = "jump",
        Password = password,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectBudget = TimeSpan.FromSeconds(30),
        KeepAlive = TimeSpan.FromSeconds(15),
        MaxChannels = 10,
        MaxConnections = 1,
    };

    /// <summary>A text form that compares records by value (lists, dictionaries and byte arrays included).</summary>
    public static string Describe(object record) =>
        record.GetType().FullName + " " + System.Text.Json.JsonSerializer.Serialize(record, record.GetType(), JsonOptions);

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new()
    {
        Converters = { new ActorRefAsPath() },
    };

    private sealed class ActorRefAsPath : System.Text.Json.Serialization.JsonConverter<IActorRef>
    {
        public override IActorRef Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(System.Text.Json.Utf8JsonWriter writer, IActorRef value, System.Text.Json.JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Path.ToString());
    }
}
