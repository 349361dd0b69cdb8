using RControl.Transports.Files;

namespace RControl.Files.Tests.Support;

/// <summary>
/// The real local disk, except that writes fail once <see cref="FailAfterBytes"/> bytes were written
/// (a stand-in for "disk full" in the middle of a copy).
/// </summary>
public sealed class FailingFileSystem(long failAfterBytes) : IFileSystem
{
    private readonly LocalFileSystem _disk = new();

    public long FailAfterBytes { get; } = failAfterBytes;

    public async Task<Stream> OpenAsync(string path, FileOpenMode mode, CancellationToken cancellationToken)
    {
        var stream = await _disk.OpenAsync(path, mode, cancellationToken);
        return mode == FileOpenMode.Read ? stream : new FailingStream(stream, FailAfterBytes);
    }

    public Task<FileStat?> TryStatAsync(string path, bool followLinks, CancellationToken cancellationToken) => _disk.TryStatAsync(path, followLinks, cancellationToken);

    public Task<IReadOnlyList<FileEntry>> ListAsync(string path, CancellationToken cancellationToken) => _disk.ListAsync(path, cancellationToken);

    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken) => _disk.CreateDirectoryAsync(path, cancellationToken);

    public Task RemoveFileAsync(string path, CancellationToken cancellationToken) => _disk.RemoveFileAsync(path, cancellationToken);

    public Task RemoveDirectoryAsync(string path, CancellationToken cancellationToken) => _disk.RemoveDirectoryAsync(path, cancellationToken);

    public Task RenameAsync(string from, string to, CancellationToken cancellationToken) => _disk.RenameAsync(from, to, cancellationToken);

    public Task<string> ReadLinkAsync(string path, CancellationToken cancellationToken) => _disk.ReadLinkAsync(path, cancellationToken);

    public Task CreateSymbolicLinkAsync(string path, string target, CancellationToken cancellationToken) => _disk.CreateSymbolicLinkAsync(path, target, cancellationToken);

    public Task ChmodAsync(string path, UnixFileMode mode, CancellationToken cancellationToken) => _disk.ChmodAsync(path, mode, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_written + buffer.Length > limit)
            {
                throw new IOException("No space left on device");
            }

            await inner.WriteAsync(buffer, cancellationToken);
            _written += buffer.Length;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
