using Akka.Actor;
using RControl.Actors;
using RControl.Files;
using RControl.Protocol;
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
            ["Execute"] = new SessionActor.Execute("0123456789abcdef0123456789abcdef", spec),
            ["Kill"] = new SessionActor.Kill("0123456789abcdef0123456789abcdef"),
            ["Output"] = new CommandTaskActor.Output("t1", OutputStream.Stderr, ["line 1", "", "é ✓ \r"]),
            ["OutputAck"] = new CommandTaskActor.OutputAck("t1", OutputStream.Stderr),
            ["Completed"] = new CommandTaskActor.Completed("t1", CommandEnd.Exited, 3, "bad exit code"),
            ["CommandSpec"] = spec,
            ["OpenSession"] = new SessionManagerActor.OpenSession("web1", ssh),
            ["GetSession"] = new SessionManagerActor.GetSession("web1"),
            ["CloseSession"] = new SessionManagerActor.CloseSession("web1"),
            ["ListSessions"] = SessionManagerActor.ListSessions.Instance,
            ["SessionFound"] = new SessionManagerActor.SessionFound("web1", session, ssh with { Password = null, Passphrase = null, JumpHosts = new Dictionary<string, SshSessionSpec> { ["bastion"] = Jump(null) } }),
            ["SessionNotFound"] = new SessionManagerActor.SessionNotFound("web9", ["web1", "web2"]),
            ["SessionClosed"] = new SessionManagerActor.SessionClosed("web1"),
            ["SessionList"] = new SessionManagerActor.SessionList(["local", "web1"]),
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
            ["LoginHello"] = new Security.Login.Hello([0x30, 0x82, 0x01, 0x0a], session),
            ["LoginChallenge"] = new Security.Login.Challenge([1, 2, 3, 4, 5, 6, 7, 8], session),
            ["LoginProof"] = new Security.Login.Proof([0x30, 0x45, 0x02, 0x21]),
            ["LoginAccepted"] = new Security.Login.Accepted("ci", Admin: false),
            ["LoginRefused"] = new Security.Login.Refused("certificate refused: CN=x expired on 2026-01-01 00:00:00Z"),
            ["AccessDenied"] = new Security.AccessDenied("client 'ci' may not exec on session 'db1'"),
            ["ListNodes"] = new Cluster.ClusterNodes.ListNodes(LocalOnly: true),
            ["NodeList"] = new Cluster.ClusterNodes.NodeList(
            [
                new Cluster.ClusterNodes.NodeInfo("akka.ssl.tcp://rcontrol@10.0.0.1:4053", "Up", ["dc-eu"], 120, 7, 2),
                new Cluster.ClusterNodes.NodeInfo("akka.ssl.tcp://rcontrol@10.0.0.2:4053", "Leaving", [], null, null, null),
            ]),
        };
    }

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
