using RControl.Files.Tests.Contracts;
using RControl.Files.Tests.Support;
using RControl.TestSupport;
using RControl.Transports.Files;
using RControl.Transports.Ssh;

namespace RControl.Files.Tests.Ssh;

/// <summary>A read stream asking more per request than the server answers, against a real sshd.</summary>
public sealed class SftpReadRequestSizeTests(SshdFixture sshd) : SessionTestBase, IClassFixture<SshdFixture>
{
    [Fact]
    public async Task Reads_larger_than_the_server_answers_come_back_whole_and_the_stream_then_asks_for_what_it_answers()
    {
        TestTree.WriteLarge(P("big.bin"), 4 * 1024 * 1024 + 12345);
        var spec = sshd.Server.Spec();
        await using var files = new SftpFileSystem(ct => SshConnector.ConnectSftpAsync(spec, ct), readRequestSize: 1024 * 1024);

        var stream = await files.OpenAsync(P("big.bin"), FileOpenMode.Read, CancellationToken.None);
        byte[] read;
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            read = copy.ToArray();

            // OpenSSH's sftp-server answers at most 256 KiB - 1 KiB per read: the stream adopts that.
            Assert.Equal(255u * 1024, Assert.IsType<SftpReadStream>(stream).RequestSize);
        }

        Assert.Equal(await File.ReadAllBytesAsync(P("big.bin")), read);
    }
}
