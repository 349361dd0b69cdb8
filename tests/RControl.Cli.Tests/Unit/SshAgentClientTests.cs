using System.Buffers.Binary;
using System.Net.Sockets;
using RControl.Transports.Ssh.Agent;

namespace RControl.Cli.Tests.Unit;

/// <summary>The ssh-agent client refuses answers that break the protocol, before allocating what they claim (a real Unix socket, a scripted agent).</summary>
public class SshAgentClientTests
{
    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xF0, 12 }, "length")]
    [InlineData(new byte[] { 0, 0, 0, 5, 12, 0x7F, 0xFF, 0xFF, 0xFF }, "identities")]
    [InlineData(new byte[] { 0, 0, 0, 13, 12, 0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0 }, "string of")]
    [InlineData(new byte[] { 0, 0, 0, 1, 5 }, "answered message 5")]
    [InlineData(new byte[] { 0, 0, 0, 9 }, "closed")]
    public async Task Malformed_answers_are_refused(byte[] answer, string expected)
    {
        using var dir = new Support.TempDir();
        var path = Path.Combine(dir.Path, "agent.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var serving = Task.Run(async () =>
        {
            using var connection = await listener.AcceptAsync();
            var header = new byte[4];
            await connection.ReceiveAsync(header);
            var request = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
            await connection.ReceiveAsync(request);
            await connection.SendAsync(answer);
            connection.Shutdown(SocketShutdown.Send);
        });

        var client = new SshAgentClient(path, TimeSpan.FromSeconds(10));
        var error = Assert.Throws<SshAgentException>(() => client.RequestIdentities());
        Assert.Contains(expected, error.Message);
        await serving;
    }

    [Fact]
    public void No_agent_socket_is_no_agent()
    {
        var client = new SshAgentClient(Path.Combine(Path.GetTempPath(), "no-such-agent-" + Guid.NewGuid().ToString("N")));
        Assert.Contains("ssh-agent at", Assert.Throws<SshAgentException>(() => client.RequestIdentities()).Message);
    }
}
