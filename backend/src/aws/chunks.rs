//! "List, then describe in chunks": AWS's List* calls page through identifiers, its Describe*
//! calls take a bounded number of them per call (DescribeServices 10, DescribeTasks,
//! DescribeContainerInstances and DescribeClusters 100).

use std::future::Future;

use crate::error::AppError;

/// Describes `ids` at most `size` at a time, one call after another (the first failure ends it),
/// and returns what the calls described in the order of `ids`' chunks.
pub(crate) async fn describe_in_chunks<T, F, Fut>(
    ids: &[String],
    size: usize,
    mut describe: F,
) -> Result<Vec<T>, AppError>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, AppError>>,
{
    let mut described = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(size.max(1)) {
        described.extend(describe(chunk.to_vec()).await?);
    }
    Ok(described)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("arn:aws:ecs:eu-west-1:1:service/prod/s{i}")).collect()
    }

    #[tokio::test]
    async fn at_most_size_ids_per_call_in_order() {
        let calls = RefCell::new(Vec::new());
        let all = ids(23);
        let described = describe_in_chunks(&all, 10, |chunk| {
            calls.borrow_mut().push(chunk.len());
            async move { Ok(chunk.into_iter().map(|id| format!("described {id}")).collect()) }
        })
        .await
        .unwrap();
        assert_eq!(*calls.borrow(), [10, 10, 3]);
        let expected: Vec<String> = all.iter().map(|id| format!("described {id}")).collect();
        assert_eq!(described, expected);
    }

    #[tokio::test]
    async fn no_ids_no_call() {
        let mut calls = 0;
        let described: Vec<String> = describe_in_chunks(&[], 100, |_| {
            calls += 1;
            async { Ok(Vec::new()) }
        })
        .await
        .unwrap();
        assert!(described.is_empty());
        assert_eq!(calls, 0);
    }

    #[tokio::test]
    async fn the_first_failure_ends_it() {
        let mut calls = 0;
        let result: Result<Vec<String>, _> = describe_in_chunks(&ids(250), 100, |_| {
            calls += 1;
            async { Err(AppError::NotFound("gone".into())) }
        })
        .await;
        assert!(matches!(result, Err(AppError::NotFound(_))));
        assert_eq!(calls, 1);
    }
}

#[cfg(test)]
#[path = "chunks_scripted_tests.rs"]
mod scripted_tests;
