//! The footer totals (`#交易合计：…`, `#收入合计：…`) checked against the rows: each row added
//! as it is read, its amounts read straight to cents, and the sums compared after the last one.

use super::error::BillError;
use super::file::{BillFile, FileKind};
use super::raw::RawRow;
use crate::Amount;

/// The footer totals being checked against the rows.
pub(crate) struct Tally {
    kind: FileKind,
    checks: Vec<Check>,
    pub(crate) checked: usize,
}

/// One footer line's figures and the rows' sums so far.
struct Check {
    label: String,
    /// Which rows the line counts; `None` when the file's columns do not say.
    selector: Option<Selector>,
    count: Option<u64>,
    rows: u64,
    /// Each amount: its name, its column, the footer's cents, the rows' cents.
    amounts: Vec<(String, Option<usize>, Amount, i64)>,
}

/// Which rows a footer line counts.
enum Selector {
    /// Rows whose column holds the label (`业务类型` = `交易`).
    Equals(usize),
    /// Rows whose amount in the column is not zero (`收入金额` for `收入`).
    NonZero(usize),
}

impl Tally {
    pub(crate) fn new(file: &BillFile) -> Self {
        let checks = file
            .metadata()
            .totals
            .iter()
            .map(|total| Check {
                label: total.label.clone(),
                selector: None,
                count: total.count,
                rows: 0,
                amounts: total
                    .amounts
                    .iter()
                    .map(|(name, amount)| (name.clone(), None, amount.clone(), 0))
                    .collect(),
            })
            .collect();
        Self {
            kind: file.kind(),
            checks,
            checked: 0,
        }
    }

    /// Finds the columns of each footer line: `交易`/`退款` rows by `业务类型` in a trade bill,
    /// `收入`/`支出` rows by their amount column in an account bill.
    pub(crate) fn resolve(&mut self, headers: &[String]) {
        let column = |prefix: &str| headers.iter().position(|h| h.starts_with(prefix));
        for check in &mut self.checks {
            let own = match self.kind {
                FileKind::TradeDetail => None,
                _ => column(&format!("{}金额", check.label)),
            };
            check.selector = match self.kind {
                FileKind::TradeDetail => column("业务类型").map(Selector::Equals),
                FileKind::AccountDetail => own.map(Selector::NonZero),
                _ => None,
            };
            for (name, index, _, _) in &mut check.amounts {
                *index = if name.is_empty() { own } else { column(name) };
            }
        }
    }

    /// Adds a row to the sums of the footer lines that count it.
    pub(crate) fn add(&mut self, row: &RawRow<'_>) -> Result<(), BillError> {
        let cents = |index: usize| -> Result<i64, BillError> {
            let field = row.field(index);
            if field.is_empty() {
                return Ok(0);
            }
            Amount::signed_cents_of(field).map_err(|e| {
                let column = row.headers().get(index).map_or("", String::as_str);
                row.invalid(index, column, |text| e.with_text(text).to_string())
            })
        };
        for check in &mut self.checks {
            // The column a `NonZero` selector has read, and its cents: an account bill's line
            // sums the very column that selects its rows.
            let (selected, read) = match check.selector {
                None => continue,
                Some(Selector::Equals(index)) => (row.field(index) == check.label, None),
                Some(Selector::NonZero(index)) => {
                    let value = cents(index)?;
                    (value != 0, Some((index, value)))
                }
            };
            if !selected {
                continue;
            }
            check.rows += 1;
            for (_, index, _, sum) in &mut check.amounts {
                let Some(index) = *index else { continue };
                let value = match read {
                    Some((read_index, value)) if read_index == index => value,
                    _ => cents(index)?,
                };
                *sum = sum.saturating_add(value);
            }
        }
        Ok(())
    }

    /// Compares the footer's figures with the rows'.
    pub(crate) fn finish(&mut self) -> Result<(), BillError> {
        for check in &self.checks {
            if check.selector.is_none() {
                continue;
            }
            if let Some(count) = check.count {
                self.checked += 1;
                if count != check.rows {
                    return Err(BillError::TotalsMismatch {
                        label: check.label.clone(),
                        what: "笔数".to_owned(),
                        footer: count.to_string(),
                        rows: check.rows.to_string(),
                    });
                }
            }
            for (name, index, footer, sum) in &check.amounts {
                if index.is_none() {
                    continue;
                }
                self.checked += 1;
                let expected = footer.signed_cents();
                // Some accounts write expenses as positive figures, others as negative ones.
                let agrees = *sum == expected
                    || (self.kind == FileKind::AccountDetail
                        && sum.unsigned_abs() == expected.unsigned_abs());
                if !agrees {
                    return Err(BillError::TotalsMismatch {
                        label: check.label.clone(),
                        what: if name.is_empty() {
                            "金额".to_owned()
                        } else {
                            name.clone()
                        },
                        footer: footer.as_str().to_owned(),
                        rows: Amount::from_signed_cents(*sum).as_str().to_owned(),
                    });
                }
            }
        }
        Ok(())
    }
}
