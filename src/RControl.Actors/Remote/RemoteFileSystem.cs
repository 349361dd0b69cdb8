using Akka.Actor;
using RControl.Files;
using RControl.Transports.Files;
using static RControl.Protocol.FileProtocol;

namespace RControl.Remote;

/// <summary>
/// The client side of remote file access: a <see cref="IFileSystem"/> whose every call is a request to the engine's
/// <see cref="Actors.FileServiceActor"/>, so a <see cref="RemoteSession"/> walks, stats, opens and copies files where the
/// session lives (the engine's disk, or its SFTP connection).
/// </summary>
internal sealed class RemoteFileSystem(ActorSelection service, string session, TimeSpan timeout, string engine) : IFileSystem
{
    public async Task<Stream> OpenAsync(string path, FileOpenMode mode, CancellationToken cancellationToken)
    {
        var opened = await CallAsync<FileOpened>(new OpenFile(session, path, mode), cancellationToken).ConfigureAwait(false);
        return new RemoteFileStream(this, path, opened.Handle, mode);
    }

    public async Task<FileStat?> TryStatAsync(string path, bool followLinks, CancellationToken cancellationToken) =>
        (await CallAsync<StatAnswer>(new StatPath(session, path, followLinks), cancellationToken).ConfigureAwait(false)).Stat;

    public async Task<IReadOnlyList<FileEntry>> ListAsync(string path, CancellationToken cancellationToken) =>
        (await CallAsync<DirectoryListing>(new ListDirectory(session, path), cancellationToken).ConfigureAwait(false)).Entries;

    public Task CreateDirectoryAsync(string path, CancellationToken cancellationToken) =>
        CallAsync<Done>(new MakeDirectory(session, path), cancellationToken);

    public Task RemoveFileAsync(string path, CancellationToken cancellationToken) =>
        CallAsync<Done>(new RemoveFile(session, path), cancellationToken);

    public Task RemoveDirectoryAsync(string path, CancellationToken cancellationToken) =>
        CallAsync<Done>(new RemoveDirectory(session, path), cancellationToken);

    public Task RenameAsync(string from, string to, CancellationToken cancellationToken) =>
        CallAsync<Done>(new RenamePath(session, from, to), cancellationToken);

    public async Task<string> ReadLinkAsync(string path, CancellationToken cancellationToken) =>
        (await CallAsync<LinkTarget>(new ReadLink(session, path), cancellationToken).ConfigureAwait(false)).Target;

    public Task CreateSymbolicLinkAsync(string path, string target, CancellationToken cancellationToken) =>
        CallAsync<Done>(new CreateSymlink(session, path, target), cancellationToken);

    public Task ChmodAsync(string path, UnixFileMode mode, CancellationToken cancellationToken) =>
        CallAsync<Done>(new ChangeMode(session, path, mode), cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal async Task<TAnswer> CallAsync<TAnswer>(IRequest request, CancellationToken cancellationToken)
    {
        object answer;
        try
        {
            answer = await service.Ask<object>(request, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new FileOperationException(null, request.Operation, request.Path, FileErrorKind.Failure, $"the engine at {engine} did not answer within {timeout.TotalSeconds:0.#}s", e);
        }

        return answer switch
        {
            TAnswer expected => expected,
            Failed failed => throw new FileOperationException(null, failed.Operation, failed.Path, failed.Kind, failed.Reason),
            _ => throw new FileOperationException(null, request.Operation, request.Path, FileErrorKind.Failure, $"unexpected answer {answer.GetType().Name}"),
        };
    }

    /// <summary>A file open on the engine, read or written in chunks of at most <see cref="ChunkSize"/> bytes.</summary>
    private sealed class RemoteFileStream(RemoteFileSystem fs, string path, long handle, FileOpenMode mode) : Stream
    {
        private bool _closed;

        public override bool CanRead => mode == FileOpenMode.Read && !_closed;

        public override bool CanWrite => mode != FileOpenMode.Read && !_closed;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (buffer.Length == 0)
            {
                return 0;
            }

            var chunk = await fs.CallAsync<Chunk>(new ReadChunk(handle, Math.Min(buffer.Length, ChunkSize), path), cancellationToken).ConfigureAwait(false);
            var data = chunk.Data;
            data.CopyTo(buffer);
            return data.Length;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            for (var offset = 0; offset < buffer.Length; offset += ChunkSize)
            {
                var chunk = buffer.Slice(offset, Math.Min(ChunkSize, buffer.Length - offset)).ToArray();
                await fs.CallAsync<Done>(new WriteChunk(handle, chunk, path), cancellationToken).ConfigureAwait(false);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            if (!_closed)
            {
                _closed = true;
                await fs.CallAsync<Done>(new CloseFile(handle, path), CancellationToken.None).ConfigureAwait(false);
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                _closed = true;
                fs.CallAsync<Done>(new CloseFile(handle, path), CancellationToken.None).GetAwaiter().GetResult();
            }

            base.Dispose(disposing);
        }
    }
}
