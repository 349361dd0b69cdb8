using RControl.Files.Tests.Contracts;
using RControl.TestSupport;
using RControl.Transports.Files;
using RControl.Transports.Ssh;

namespace RControl.Files.Tests.Ssh;

/// <summary>The input of a program on an SSH exec channel (the remote end of a tar copy), against a real sshd.</summary>
public sealed class HostProcessInputTests(SshdFixture sshd) : SessionTestBase, IClassFixture<SshdFixture>
{
    [Fact]
    public async Task Closing_the_input_of_a_program_that_already_ended_is_not_an_error_and_its_exit_status_stands()
    {
        var spec = sshd.Server.Spec();
        await using var files = new SftpFileSystem(ct => SshConnector.ConnectSftpAsync(spec, ct), ct => SshConnector.ConnectAsync(spec, ct));
        // Reads one byte and ends, as tar -x stops at the archive's end marker before its writer closes.
        var process = await files.StartProcessAsync(["head", "-c", "1"], CancellationToken.None);
        Assert.NotNull(process);
        await using (process)
        {
            await process.Input.WriteAsync(new byte[] { (byte)'x' });
            var output = new MemoryStream();
            await process.Output.CopyToAsync(output);
            var (exitCode, _) = await process.Exited.WaitAsync(TimeSpan.FromSeconds(30));

            await process.Input.DisposeAsync(); // the channel is closed by now: end of file is moot

            Assert.Equal(0, exitCode);
            Assert.Equal("x"u8.ToArray(), output.ToArray());
        }
    }

    [Fact]
    public async Task Closing_the_input_when_the_channel_closed_between_the_check_and_the_end_of_file_is_not_an_error()
    {
        // SSH.NET checks that the channel is open and then sends end of file: a close arriving in between throws.
        // The real race is narrow, so the channel's stream is stood in for by one that throws as SSH.NET's does.
        var input = new BlockingWriteStream(new ClosedChannelStream());

        await input.DisposeAsync();
    }

    private sealed class ClosedChannelStream : MemoryStream
    {
        protected override void Dispose(bool disposing) => throw new InvalidOperationException("The channel is closed.");
    }
}
