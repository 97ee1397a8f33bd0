// The connection's sans-IO core: correlation ids, the in-flight window and its queue.
import NIOCore
import Testing

@testable import KafkaClient

@Suite struct RequestPipelineTests {
    typealias Pipeline = RequestPipeline<String>

    private func entry(_ pipeline: inout Pipeline, _ name: String, expectsResponse: Bool = true) -> Pipeline.Entry {
        Pipeline.Entry(correlationId: pipeline.allocateCorrelationId(), frame: ByteBuffer(), expectsResponse: expectsResponse, pending: name)
    }

    @Test func correlationIdsIncreaseAndWrapToZero() {
        var pipeline = Pipeline(maxInFlightRequests: 4)
        #expect(pipeline.allocateCorrelationId() == 0)
        #expect(pipeline.allocateCorrelationId() == 1)
        var wrapping = Pipeline(maxInFlightRequests: 1)
        wrapping.skipCorrelationIds(to: Int32.max)
        #expect(wrapping.allocateCorrelationId() == Int32.max)
        #expect(wrapping.allocateCorrelationId() == 0)
    }

    @Test func theWindowQueuesAndReleasesInOrder() {
        var pipeline = Pipeline(maxInFlightRequests: 2)
        let first = entry(&pipeline, "a"), second = entry(&pipeline, "b"), third = entry(&pipeline, "c")
        guard case .write = pipeline.submit(first), case .write = pipeline.submit(second) else {
            Issue.record("the first two requests should be written")
            return
        }
        guard case .wait = pipeline.submit(third) else {
            Issue.record("the third request should wait")
            return
        }
        #expect(pipeline.inFlightCount == 2 && pipeline.queuedCount == 1)
        guard case .deliver(let pending, let next) = pipeline.receive(correlationId: second.correlationId) else {
            Issue.record("the answer should match request b")
            return
        }
        #expect(pending == "b")
        #expect(next.map(\.pending) == ["c"])
        #expect(pipeline.inFlightCount == 2 && pipeline.queuedCount == 0)
    }

    @Test func unknownAndTimedOutAnswersAreIgnored() {
        var pipeline = Pipeline(maxInFlightRequests: 2)
        let first = entry(&pipeline, "a")
        _ = pipeline.submit(first)
        #expect(pipeline.timeOut(correlationId: first.correlationId)?.pending == "a")
        guard case .ignore = pipeline.receive(correlationId: first.correlationId) else {
            Issue.record("a late answer must be ignored")
            return
        }
        guard case .ignore = pipeline.receive(correlationId: 999) else {
            Issue.record("an unknown id must be ignored")
            return
        }
    }

    @Test func fireAndForgetRequestsTakeNoSlot() {
        var pipeline = Pipeline(maxInFlightRequests: 1)
        let produce = entry(&pipeline, "acks0", expectsResponse: false)
        guard case .write = pipeline.submit(produce) else {
            Issue.record("should be written")
            return
        }
        #expect(pipeline.inFlightCount == 0)
        guard case .write = pipeline.submit(entry(&pipeline, "metadata")) else {
            Issue.record("the slot should still be free")
            return
        }
    }

    @Test func closeReturnsEveryUnansweredRequest() {
        var pipeline = Pipeline(maxInFlightRequests: 1)
        _ = pipeline.submit(entry(&pipeline, "a"))
        _ = pipeline.submit(entry(&pipeline, "b"))
        #expect(Set(pipeline.close()) == ["a", "b"])
        #expect(pipeline.isClosed)
        #expect(pipeline.inFlightCount == 0 && pipeline.queuedCount == 0)
    }
}
