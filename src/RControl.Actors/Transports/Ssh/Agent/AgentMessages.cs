using System.Buffers.Binary;
using System.Text;

namespace RControl.Transports.Ssh.Agent;

/// <summary>Message numbers and limits of the ssh-agent protocol (draft-miller-ssh-agent).</summary>
internal static class AgentMessages
{
    public const byte Failure = 5;
    public const byte RequestIdentities = 11;
    public const byte IdentitiesAnswer = 12;
    public const byte SignRequest = 13;
    public const byte SignResponse = 14;

    /// <summary>SSH_AGENT_RSA_SHA2_256: sign an RSA key with rsa-sha2-256.</summary>
    public const uint RsaSha256 = 2;

    /// <summary>SSH_AGENT_RSA_SHA2_512: sign an RSA key with rsa-sha2-512.</summary>
    public const uint RsaSha512 = 4;

    /// <summary>OpenSSH's own limit on an agent message (AGENT_MAX_LEN).</summary>
    public const int MaxMessageLength = 256 * 1024;

    /// <summary>More identities than this is not an agent answer.</summary>
    public const int MaxIdentities = 2048;
}

/// <summary>Writes an agent request: <c>uint32 length, byte type, contents</c>.</summary>
internal sealed class AgentRequest
{
    private readonly MemoryStream _body = new();

    public AgentRequest(byte type) => _body.WriteByte(type);

    public AgentRequest String(ReadOnlySpan<byte> value)
    {
        Uint32((uint)value.Length);
        _body.Write(value);
        return this;
    }

    public AgentRequest Uint32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        _body.Write(bytes);
        return this;
    }

    /// <summary>The framed message.</summary>
    public byte[] ToArray()
    {
        var body = _body.ToArray();
        var framed = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)body.Length);
        body.CopyTo(framed, 4);
        return framed;
    }
}

/// <summary>Reads an agent answer's contents; every length is checked against the bytes present before anything is allocated.</summary>
internal ref struct AgentReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    public readonly bool AtEnd => _rest.IsEmpty;

    public byte Byte()
    {
        Need(1);
        var value = _rest[0];
        _rest = _rest[1..];
        return value;
    }

    public uint Uint32()
    {
        Need(4);
        var value = BinaryPrimitives.ReadUInt32BigEndian(_rest);
        _rest = _rest[4..];
        return value;
    }

    public byte[] String()
    {
        var length = Uint32();
        if (length > (uint)_rest.Length)
        {
            throw new SshAgentException($"malformed agent answer: a string of {length} bytes with {_rest.Length} left");
        }

        var value = _rest[..(int)length].ToArray();
        _rest = _rest[(int)length..];
        return value;
    }

    public string Text() => Encoding.UTF8.GetString(String());

    private readonly void Need(int count)
    {
        if (_rest.Length < count)
        {
            throw new SshAgentException("malformed agent answer: truncated");
        }
    }
}
