using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using RControl.Actors;
using RControl.Configuration;
using RControl.Protocol;
using RControl.Serialization;

namespace RControl.Remote.Tests;

/// <summary>Every message that crosses the wire round-trips through the RControl serializer (bound by the reference HOCON).</summary>
public sealed class SerializerTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create($"serializer-{Guid.NewGuid():N}", RControlConfig.ReferenceConfig);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    public static TheoryData<object> Messages()
    {
        var spec = new CommandSpec("echo hi")
        {
            CombineStderr = false,
            WorkingDirectory = "/tmp",
            Environment = new Dictionary<string, string> { ["A"] = "1", ["B"] = "ü" },
            Timeout = TimeSpan.FromSeconds(3),
            OutputTimeout = TimeSpan.FromMilliseconds(250),
        };
        return new TheoryData<object>
        {
            new ExecuteCommand("42", spec),
            new ExecuteCommand("43", new CommandSpec("true")),
            new KillCommand("42"),
            new CommandOutputAck("42", OutputStream.Stderr),
            new CommandCompleted("42", CommandEnd.Exited, 3, null),
            new CommandCompleted("42", CommandEnd.Failed, null, "boom"),
            new GetSession("web1"),
            new CloseSession("web1"),
            ListSessions.Instance,
            new SessionClosed("web1"),
            new LocalSessionSpec { WorkingDirectory = "/srv" },
        };
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Message_round_trips_with_the_rcontrol_serializer(object message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<RControlMessageSerializer>(serializer);
        var back = RoundTrip(message);
        Assert.Equal(Describe(message), Describe(back));
    }

    [Fact]
    public void Output_batch_keeps_every_line_in_order()
    {
        var lines = Enumerable.Range(0, 10_000).Select(i => i % 7 == 0 ? "" : $"line {i} é ✓ \r").ToArray();
        var back = (CommandOutput)RoundTrip(new CommandOutput("7", OutputStream.Stdout, lines));
        Assert.Equal("7", back.TaskId);
        Assert.Equal(OutputStream.Stdout, back.Stream);
        Assert.Equal(lines, back.Lines);
    }

    [Fact]
    public void Lists_and_not_found_round_trip()
    {
        var list = (SessionList)RoundTrip(new SessionList(["a", "b"]));
        Assert.Equal(["a", "b"], list.Names);
        var notFound = (SessionNotFound)RoundTrip(new SessionNotFound("x", ["a"]));
        Assert.Equal("x", notFound.Name);
        Assert.Equal(["a"], notFound.Known);
    }

    [Fact]
    public void Ssh_spec_carries_its_secrets_to_open_a_session_but_never_back_to_a_client()
    {
        var jump = new SshSessionSpec("bastion") { User = "jump", Password = "jump-secret" };
        var spec = new SshSessionSpec("web1")
        {
            Port = 2222,
            User = "deploy",
            IdentityFiles = ["~/.ssh/id_ed25519"],
            Password = "s3cret",
            Passphrase = "phrase",
            KnownHostsFile = "/k",
            HostKeyPolicy = HostKeyPolicy.AcceptNew,
            ProxyJump = "bastion",
            ConnectTimeout = TimeSpan.FromSeconds(3),
            KeepAlive = TimeSpan.FromSeconds(4),
            MaxChannels = 5,
            MaxConnections = 2,
            KeyExchangeAlgorithms = ["curve25519-sha256"],
            JumpHosts = new Dictionary<string, SshSessionSpec> { ["bastion"] = jump },
        };

        var open = (OpenSession)RoundTrip(new OpenSession("web1", spec));
        var sent = (SshSessionSpec)open.Spec;
        Assert.Equal("s3cret", sent.Password);
        Assert.Equal("phrase", sent.Passphrase);
        Assert.Equal(spec.ToString(), sent.ToString());
        Assert.Equal(["curve25519-sha256"], sent.KeyExchangeAlgorithms);
        Assert.Equal("jump-secret", sent.JumpHosts!["bastion"].Password);
        Assert.Equal((2222, 5, 2, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)), (sent.Port!.Value, sent.MaxChannels, sent.MaxConnections, sent.ConnectTimeout, sent.KeepAlive));

        var probe = _system.ActorOf(Props.Empty, "probe");
        var found = (SessionFound)RoundTrip(new SessionFound("web1", probe, spec));
        var back = (SshSessionSpec)found.Spec;
        Assert.Null(back.Password);
        Assert.Null(back.Passphrase);
        Assert.Null(back.JumpHosts!["bastion"].Password);
        Assert.Equal("deploy", back.User);
        Assert.Equal(probe, found.Session);
    }

    [Fact]
    public void File_messages_round_trip()
    {
        var when = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var stat = new Files.FileStat(Files.FileKind.Directory, 42, UnixFileMode.UserRead | UnixFileMode.UserExecute, when);
        object[] records =
        [
            new FileProtocol.StatPath("web1", "/p", FollowLinks: false),
            new FileProtocol.ListDirectory("web1", "/p"),
            new FileProtocol.MakeDirectory("web1", "/p"),
            new FileProtocol.RemoveFile("web1", "/p"),
            new FileProtocol.RemoveDirectory("web1", "/p"),
            new FileProtocol.RenamePath("web1", "/p", "/q"),
            new FileProtocol.ReadLink("web1", "/p"),
            new FileProtocol.CreateSymlink("web1", "/p", "../t"),
            new FileProtocol.ChangeMode("web1", "/p", UnixFileMode.UserRead | UnixFileMode.SetUser),
            new FileProtocol.OpenFile("web1", "/p", Files.FileOpenMode.Append),
            new FileProtocol.ReadChunk(9, 4096, "/p"),
            new FileProtocol.CloseFile(9, "/p"),
            new FileProtocol.StatAnswer(stat),
            new FileProtocol.StatAnswer(null),
            new FileProtocol.LinkTarget("../t"),
            new FileProtocol.FileOpened(9),
            FileProtocol.Done.Instance,
            new FileProtocol.Failed(Files.FileErrorKind.NotFound, "stat", "/x", "no such file"),
        ];
        foreach (var record in records)
        {
            Assert.Equal(record, RoundTrip(record));
        }

        var write = (FileProtocol.WriteChunk)RoundTrip(new FileProtocol.WriteChunk(9, [1, 2, 3], "/p"));
        Assert.Equal((9L, "/p"), (write.Handle, write.Path));
        Assert.Equal([1, 2, 3], write.Data);
        Assert.Equal([4, 5], ((FileProtocol.Chunk)RoundTrip(new FileProtocol.Chunk([4, 5]))).Data);
        Assert.Empty(((FileProtocol.Chunk)RoundTrip(new FileProtocol.Chunk([]))).Data);
        var listing = (FileProtocol.DirectoryListing)RoundTrip(new FileProtocol.DirectoryListing([new Files.FileEntry("a", stat), new Files.FileEntry("b", stat with { Kind = Files.FileKind.SymbolicLink })]));
        Assert.Equal([new Files.FileEntry("a", stat), new Files.FileEntry("b", stat with { Kind = Files.FileKind.SymbolicLink })], listing.Entries);
    }

    [Fact]
    public async Task Answers_are_read_up_to_the_configured_frame_size()
    {
        var big = new CommandOutput("t", OutputStream.Stdout, [new string('x', 9 * 1024 * 1024)]);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(big);
        var bytes = serializer.ToBinary(big);
        var error = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "Output"));
        Assert.Equal($"RControl wire: Output payload of {bytes.Length} bytes is larger than the 8388608 bytes allowed", error.Message);

        var larger = ActorSystem.Create("larger-frames", ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.maximum-frame-size = 16MiB").WithFallback(RControlConfig.ReferenceConfig));
        try
        {
            var reader = (SerializerWithStringManifest)larger.Serialization.FindSerializerFor(big);
            Assert.Equal(big.Lines, ((CommandOutput)reader.FromBinary(bytes, "Output")).Lines);
        }
        finally
        {
            await larger.Terminate();
        }
    }

    [Fact]
    public void Unknown_manifest_is_a_clear_error()
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerForType(typeof(KillCommand));
        var error = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([], "Kill.99"));
        Assert.Contains("Kill.99", error.Message);
    }

    private object RoundTrip(object message)
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        return serializer.FromBinary(bytes, serializer.Manifest(message));
    }

    private static string Describe(object o) => o switch
    {
        ExecuteCommand e => $"{e.TaskId} {e.Spec with { Environment = null }} {string.Join(",", e.Spec.Environment?.Select(kv => $"{kv.Key}={kv.Value}") ?? [])}",
        _ => o.ToString()!,
    };
}
