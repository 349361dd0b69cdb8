using Google.Protobuf;

namespace RControl.Cluster.Tests;

/// <summary>
/// The rule of what a client certificate may send to a cluster node, on Akka.Remote frames built field by field
/// (AkkaProtocolMessage → AckAndEnvelopeContainer → RemoteEnvelope; a selection's SelectionEnvelope and pattern).
/// </summary>
public sealed class ClientTrafficTests
{
    private const string Node = "akka.ssl.tcp://rcontrol@127.0.0.1:4053";

    [Theory]
    [InlineData("/user/rcontrol")]
    [InlineData("/user/rcontrol/client-0123abcd")]
    [InlineData("/user/rcontrol/client-0123abcd/session-99ff")]
    [InlineData("/temp/$a")]
    [InlineData("/system/remote-watcher")]
    public void A_client_may_reach_the_gate_its_children_replies_and_heartbeats(string path) =>
        Assert.Null(ClientTraffic.Refusal(Frame(Node + path, serializerId: 17, Bytes("hello"))));

    [Theory]
    [InlineData("/system/sharding/rcontrol-sessions")]
    [InlineData("/system/sharding/rcontrol-sessions/12/here")]
    [InlineData("/system/cluster/core/daemon")]
    [InlineData("/system/sharding/replicator")]
    [InlineData("/user/rcontrol-node")]
    [InlineData("/user/rcontrol-jobs-0123")]
    [InlineData("/user/rcontrolx")]
    public void Anything_else_is_for_nodes_only(string path) =>
        Assert.Equal(path, ClientTraffic.Refusal(Frame(Node + path, serializerId: 17, Bytes("hello"))));

    [Fact]
    public void A_selection_is_judged_by_where_it_leads()
    {
        Assert.Null(ClientTraffic.Refusal(Frame(Node + "/", 6, Selection((2, "user"), (2, "rcontrol")))));
        Assert.Equal("/system/cluster/core/daemon", ClientTraffic.Refusal(Frame(Node + "/", 6, Selection((2, "system"), (2, "cluster"), (2, "core"), (2, "daemon")))));
        // From the gate up and down again into the cluster's internals.
        Assert.Equal("/system/sharding/rcontrol-sessions", ClientTraffic.Refusal(Frame(Node + "/user/rcontrol", 6, Selection((1, ""), (1, ""), (2, "system"), (2, "sharding"), (2, "rcontrol-sessions")))));
        Assert.Equal("a selection from /", ClientTraffic.Refusal(Frame(Node + "/", 6, Selection((2, "user"), (3, "rcontrol*")))));
    }

    [Fact]
    public void Control_frames_pass_and_an_unreadable_frame_is_refused()
    {
        Assert.Null(ClientTraffic.Refusal(Message((2, Bytes("")))));
        Assert.Equal("an unreadable frame", ClientTraffic.Refusal(ByteString.CopyFrom(0x0A, 0xFF, 0xFF, 0xFF, 0x0F)));
    }

    private static ByteString Frame(string recipient, int serializerId, ByteString message)
    {
        var payload = Message((1, message), (2, serializerId));
        var envelope = Message((1, Message((1, Bytes(recipient)))), (2, payload));
        return Message((1, Message((2, envelope))));
    }

    private static ByteString Selection(params (int Type, string Matcher)[] pattern) =>
        Message([(1, Message((1, Bytes("inner")), (2, 17))), .. pattern.Select(p => ((int, object))(2, Message((1, p.Type), (2, Bytes(p.Matcher)))))]);

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    private static ByteString Message(params (int Field, object Value)[] fields)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        foreach (var (field, value) in fields)
        {
            if (value is int number)
            {
                output.WriteTag(field, WireFormat.WireType.Varint);
                output.WriteInt32(number);
            }
            else
            {
                output.WriteTag(field, WireFormat.WireType.LengthDelimited);
                output.WriteBytes((ByteString)value);
            }
        }

        output.Flush();
        return ByteString.CopyFrom(stream.ToArray());
    }
}
