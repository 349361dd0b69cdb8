using Akka.Actor;
using Google.Protobuf;

namespace RControl.Cluster;

/// <summary>
/// What a client (a peer without a node certificate) may send to a cluster node: messages to the gate
/// (<c>/user/rcontrol</c>) and the connections and sessions it hands out (its children), replies to the node's asks
/// (<c>/temp</c>), and death-watch heartbeats (<c>/system/remote-watcher</c>). Everything else — the cluster daemon,
/// gossip, heartbeats, sharding regions, coordinators, replicators, entities, the node actor — is for nodes only.
/// Reads one Akka.Remote frame (<c>AkkaProtocolMessage</c> → <c>AckAndEnvelopeContainer</c> → <c>RemoteEnvelope</c>)
/// with Google.Protobuf, bounded by the frame; an actor selection is resolved from its anchor through its pattern first.
/// </summary>
internal static class ClientTraffic
{
    private const int MessageContainerSerializer = 6; // Akka.Remote's serializer of ActorSelectionMessage
    private const int SelectParent = 1;
    private const int SelectChildName = 2;

    /// <summary>Null when a client may send this frame, else the path it addresses (for the refusal's log line).</summary>
    public static string? Refusal(ByteString frame)
    {
        try
        {
            if (Field(frame, 1) is not { } payload || Field(payload, 2) is not { } envelope)
            {
                return null; // a handshake, heartbeat or disassociation, or an acknowledgement alone
            }

            var recipient = Field(envelope, 1) is { } data && Field(data, 1) is { } path ? path.ToStringUtf8() : "";
            if (!ActorPath.TryParse(recipient, out var actorPath))
            {
                return $"'{recipient}'";
            }

            var elements = actorPath.Elements.ToList();
            if (Field(envelope, 2) is { } message && Varint(message, 2) == MessageContainerSerializer)
            {
                if (Field(message, 1) is not { } selection || !Select(selection, elements))
                {
                    return $"a selection from {Render(actorPath.Elements)}";
                }
            }

            return Allowed(elements) ? null : Render(elements);
        }
        catch (InvalidProtocolBufferException)
        {
            return "an unreadable frame";
        }
    }

    private static bool Allowed(IReadOnlyList<string> path) => path switch
    {
        ["user", var gate, ..] => gate == Hosting.RControlEngine.ActorName,
        ["temp", _, ..] => true,
        ["system", "remote-watcher"] => true,
        _ => false,
    };

    // Resolves the selection's pattern from its anchor; false for wildcards and nested selections.
    private static bool Select(ByteString selection, List<string> path)
    {
        if (Field(selection, 1) is { } enclosed && Varint(enclosed, 2) == MessageContainerSerializer)
        {
            return false;
        }

        var input = selection.CreateCodedInput();
        while (input.ReadTag() is var tag and not 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 2 || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited)
            {
                input.SkipLastField();
                continue;
            }

            var element = input.ReadBytes();
            var type = Varint(element, 1);
            if (type == SelectParent)
            {
                if (path.Count > 0)
                {
                    path.RemoveAt(path.Count - 1);
                }
            }
            else if (type == SelectChildName && Field(element, 2) is { } name)
            {
                path.Add(name.ToStringUtf8());
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private static string Render(IEnumerable<string> path) => "/" + string.Join("/", path);

    // The last occurrence of a length-delimited field (protobuf's rule for a message field), or null.
    private static ByteString? Field(ByteString message, int number)
    {
        ByteString? found = null;
        var input = message.CreateCodedInput();
        while (input.ReadTag() is var tag and not 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found = input.ReadBytes();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    private static long? Varint(ByteString message, int number)
    {
        long? found = null;
        var input = message.CreateCodedInput();
        while (input.ReadTag() is var tag and not 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint)
            {
                found = input.ReadInt64();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }
}
