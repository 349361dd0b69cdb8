using System.Buffers.Binary;
using System.Net.Sockets;

namespace RControl.Transports.Ssh.Agent;

/// <summary>One key held by the agent: its public key blob (SSH wire format) and comment.</summary>
internal sealed record AgentIdentity(byte[] KeyBlob, string Comment)
{
    /// <summary>The key type written at the start of the blob (<c>ssh-ed25519</c>, <c>ssh-rsa</c>, <c>ecdsa-sha2-nistp256</c>…).</summary>
    public string KeyType
    {
        get
        {
            var reader = new AgentReader(KeyBlob);
            return reader.Text();
        }
    }
}

/// <summary>
/// A client of the ssh-agent protocol (draft-miller-ssh-agent) over the Unix socket named by <c>SSH_AUTH_SOCK</c>:
/// list identities and sign with them. Private keys never leave the agent. One connection per request, blocking
/// with a deadline (SSH.NET asks for signatures synchronously, on its own thread).
/// </summary>
internal sealed class SshAgentClient
{
    /// <summary>The environment variable naming the agent's socket.</summary>
    public const string SocketVariable = "SSH_AUTH_SOCK";

    private readonly string _socketPath;
    private readonly TimeSpan _timeout;

    public SshAgentClient(string socketPath, TimeSpan? timeout = null)
    {
        _socketPath = socketPath;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>The agent of <c>SSH_AUTH_SOCK</c>, or null when the variable is unset or names no socket.</summary>
    public static SshAgentClient? FromEnvironment() =>
        Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } path && File.Exists(path) ? new SshAgentClient(path) : null;

    /// <summary>The identities the agent holds (SSH_AGENTC_REQUEST_IDENTITIES).</summary>
    public IReadOnlyList<AgentIdentity> RequestIdentities()
    {
        var (type, body) = Exchange(new AgentRequest(AgentMessages.RequestIdentities).ToArray());
        if (type != AgentMessages.IdentitiesAnswer)
        {
            throw new SshAgentException($"the agent answered message {type} to a request for identities");
        }

        var reader = new AgentReader(body);
        var count = reader.Uint32();
        if (count > AgentMessages.MaxIdentities || count > (uint)body.Length / 8)
        {
            throw new SshAgentException($"malformed agent answer: {count} identities in {body.Length} bytes");
        }

        var identities = new List<AgentIdentity>((int)count);
        for (var i = 0; i < count; i++)
        {
            identities.Add(new AgentIdentity(reader.String(), reader.Text()));
        }

        return identities;
    }

    /// <summary>Signs <paramref name="data"/> with the key of <paramref name="keyBlob"/> (SSH_AGENTC_SIGN_REQUEST); returns the SSH signature blob.</summary>
    public byte[] Sign(byte[] keyBlob, byte[] data, uint flags)
    {
        var request = new AgentRequest(AgentMessages.SignRequest).String(keyBlob).String(data).Uint32(flags).ToArray();
        var (type, body) = Exchange(request);
        if (type == AgentMessages.Failure)
        {
            throw new SshAgentException("the agent refused to sign (key removed, or confirmation denied)");
        }

        if (type != AgentMessages.SignResponse)
        {
            throw new SshAgentException($"the agent answered message {type} to a sign request");
        }

        var reader = new AgentReader(body);
        return reader.String();
    }

    private (byte Type, byte[] Body) Exchange(byte[] request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.SendTimeout = socket.ReceiveTimeout = (int)_timeout.TotalMilliseconds;
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(_socketPath));
            socket.Send(request);
            Span<byte> header = stackalloc byte[4];
            ReadExactly(socket, header);
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (length is 0 or > AgentMessages.MaxMessageLength)
            {
                throw new SshAgentException($"malformed agent answer: length {length}");
            }

            var message = new byte[length];
            ReadExactly(socket, message);
            return (message[0], message[1..]);
        }
        catch (SocketException e)
        {
            throw new SshAgentException($"ssh-agent at {_socketPath}: {e.Message}", e);
        }
    }

    private static void ReadExactly(Socket socket, Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var read = socket.Receive(buffer);
            if (read == 0)
            {
                throw new SshAgentException("the agent closed the connection");
            }

            buffer = buffer[read..];
        }
    }
}
