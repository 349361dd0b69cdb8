using Akka.Actor;
using Google.Protobuf;

namespace RControl.Serialization;

/// <summary>How one message record travels: its manifest and the mapping to and from its protobuf message.</summary>
internal abstract class WireFormat
{
    protected WireFormat(string manifest, Type recordType, int? maxPayloadBytes)
    {
        Manifest = manifest;
        RecordType = recordType;
        MaxPayloadBytes = maxPayloadBytes;
    }

    /// <summary>The short, stable name sent beside the bytes; never changes once released.</summary>
    public string Manifest { get; }

    public Type RecordType { get; }

    /// <summary>A larger payload of this message is refused before it is parsed; null: as large as Akka.Remote's frame.</summary>
    public int? MaxPayloadBytes { get; }

    public abstract byte[] ToBinary(object record);

    /// <summary>Parses and maps the bytes; throws on malformed input (the serializer turns every failure into a SerializationException).</summary>
    public abstract object FromBinary(byte[] bytes, ExtendedActorSystem system);
}

/// <inheritdoc />
internal sealed class WireFormat<TRecord, TWire>(string manifest, Func<TRecord, TWire> toWire, Func<TWire, ExtendedActorSystem, TRecord> fromWire, int? maxPayloadBytes)
    : WireFormat(manifest, typeof(TRecord), maxPayloadBytes)
    where TRecord : notnull
    where TWire : IMessage<TWire>, new()
{
    // Fields a newer peer added are skipped, not kept: nothing is stored that this version does not use.
    private static readonly MessageParser<TWire> Parser = new MessageParser<TWire>(() => new TWire()).WithDiscardUnknownFields(true);

    public override byte[] ToBinary(object record) => toWire((TRecord)record).ToByteArray();

    public override object FromBinary(byte[] bytes, ExtendedActorSystem system) => fromWire(Parser.ParseFrom(bytes), system);
}
